package dev.switchboard.llm;

import dev.switchboard.config.PoolSpec;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which backends a request for a model alias may use, now: the alias's healthy primaries, else its
 * healthy backups, else those of its {@code fallbacks} in order, else (panic mode) the down ones;
 * and of a group, the ones with room. Pure code over the backends' state: no I/O, no Vert.x, no
 * lock of its own ({@link Admission} calls it under its lock), so it is tested on its own.
 */
final class Routing {
    private final List<Backend> backends;
    private final PoolSpec spec;
    private final Clock clock;

    Routing(List<Backend> backends, PoolSpec spec, Clock clock) {
        this.backends = backends;
        this.spec = spec;
        this.clock = clock;
    }

    /** The alias, then its fallbacks (and theirs), each once. */
    List<String> chain(String alias) {
        Set<String> out = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(alias));
        while (!todo.isEmpty()) {
            String a = todo.poll();
            if (out.add(a)) {
                todo.addAll(spec.fallbacks().getOrDefault(a, List.of()));
            }
        }
        return List.copyOf(out);
    }

    /** True when some backend serves {@code alias} itself, usable or not. */
    boolean served(String alias) {
        return backends.stream().anyMatch(b -> b.serves(alias));
    }

    /** Could a request for {@code alias} (or one of its fallbacks) be served now or after a short wait? */
    boolean canServe(String alias) {
        for (String a : chain(alias)) {
            for (Backend b : backends) {
                if (b.serves(a) && b.health().usable()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The backends a request for {@code alias} may use now: the usable primaries, else the usable backups,
     * of the alias, else of its fallbacks in order; the panic group when nothing usable is left; null
     * when every backend of the chain was tried.
     */
    List<Backend> usableGroup(String alias, Set<Backend> tried) {
        List<Backend> group = healthyGroup(alias, tried);
        return group != null ? group : panicGroup(alias, tried);
    }

    /** The usable primaries, else backups, of the first alias of the chain that has any; null when none. */
    List<Backend> healthyGroup(String alias, Set<Backend> excluded) {
        for (String a : chain(alias)) {
            List<Backend> primaries = new ArrayList<>();
            List<Backend> backups = new ArrayList<>();
            for (Backend b : backends) {
                if (b.serves(a) && !excluded.contains(b) && b.health().usable()) {
                    (b.spec().backup() ? backups : primaries).add(b);
                }
            }
            if (!primaries.isEmpty()) {
                return primaries;
            }
            if (!backups.isEmpty()) {
                return backups;
            }
        }
        return null;
    }

    /**
     * Panic mode, as Envoy has it: when no backend of the alias or its fallbacks is usable, the
     * down ones are tried anyway rather than refusing every turn at once. One backend alone that
     * threw a burst of 500s would otherwise be shut off until a probe and a trial let it back (tens
     * of seconds); this way service resumes with its first success. A dead host costs a refused
     * connect, or at most the connect timeout.
     */
    List<Backend> panicGroup(String alias, Set<Backend> tried) {
        for (String a : chain(alias)) {
            List<Backend> down = new ArrayList<>();
            for (Backend b : backends) {
                if (b.serves(a) && !tried.contains(b)) {
                    down.add(b);
                }
            }
            if (!down.isEmpty()) {
                return down;
            }
        }
        return null;
    }

    /**
     * The backends of {@code group} with room now. Those whose model is known not to be loaded
     * (Ollama's {@code /api/ps}) come only when no warm or unknown one has room: loading a model
     * costs seconds to minutes, waiting for a slot of a warm one rarely does.
     */
    List<Backend> ready(List<Backend> group) {
        long now = clock.millis();
        List<Backend> ready = new ArrayList<>(group.size());
        List<Backend> cold = null;
        for (Backend b : group) {
            // a DOWN backend is only in a group in panic mode (see panicGroup)
            if (b.hasRoom(now) && (b.health().admits() || b.health().state() == BackendHealth.State.DOWN)) {
                if (b.warmth() == Backend.Warmth.COLD) {
                    (cold == null ? cold = new ArrayList<>(2) : cold).add(b);
                } else {
                    ready.add(b);
                }
            }
        }
        return ready.isEmpty() && cold != null ? cold : ready;
    }
}
