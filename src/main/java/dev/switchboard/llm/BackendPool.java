package dev.switchboard.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The backends of one replica. A call names a model alias; the pool picks a backend that serves
 * it, is healthy and has room (waiting up to {@code queue-timeout} for one), and on a failure
 * before any output tries another backend, up to {@code retries} times. Blocking: call it from a
 * virtual thread.
 */
public final class BackendPool {
    private static final Logger LOG = Logger.getLogger(BackendPool.class);

    private final List<Backend> backends;
    private final PoolSpec spec;
    private final BalancingStrategy strategy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    public BackendPool(List<BackendSpec> specs, PoolSpec spec) {
        this(specs, spec, new LeastInflight(), Clock.systemUTC(), ChatModels::create);
    }

    BackendPool(List<BackendSpec> specs, PoolSpec spec, BalancingStrategy strategy, Clock clock,
                Function<BackendSpec, dev.langchain4j.model.chat.ChatModel> models) {
        this.spec = spec;
        this.strategy = strategy;
        this.backends = specs.stream()
                .map(s -> new Backend(s, models.apply(s), new PassiveHealth(spec.maxFails(), spec.failTimeout(), clock)))
                .toList();
    }

    public List<Backend> backends() {
        return backends;
    }

    /**
     * One completion for {@code alias}.
     *
     * @throws LlmException {@code overloaded} when no backend had room within the queue timeout,
     *                      {@code backend_unavailable} when every try failed
     */
    public ChatResponse chat(String alias, String sessionKey, ChatRequest request) {
        Set<Backend> tried = new HashSet<>();
        BackendFailure last = null;
        for (int attempt = 0; attempt <= spec.retries(); attempt++) {
            Backend b = acquire(alias, sessionKey, tried);
            if (b == null) {
                break; // every backend of the alias was tried already
            }
            try {
                ChatResponse response = b.model().chat(request);
                b.health().success();
                return response;
            } catch (RuntimeException e) {
                last = BackendFailure.classify(e);
                tried.add(b);
                if (last.kind() != BackendFailure.Kind.BUSY && b.health().failure()) {
                    LOG.warnf("backend %s is down for %ds after repeated failures (last: %s)", b.name(),
                            spec.failTimeout().toSeconds(), last.message());
                }
                LOG.debugf("backend %s failed (%s), attempt %d", b.name(), last.message(), attempt + 1);
                if (!last.kind().retriable()) {
                    throw new LlmException("bad_request", "backend " + b.name() + " refused the request: " + last.message());
                }
            } finally {
                release(b);
            }
        }
        throw new LlmException("backend_unavailable", "no backend for model '" + alias + "' could answer"
                + (last == null ? "" : " (last error: " + last.message() + ")"));
    }

    /** A backend with room, or null when all candidates were tried; waits for room up to the queue timeout. */
    private Backend acquire(String alias, String sessionKey, Set<Backend> tried) {
        long deadline = System.nanoTime() + spec.queueTimeout().toNanos();
        lock.lock();
        try {
            while (true) {
                List<Backend> serving = new ArrayList<>();
                List<Backend> ready = new ArrayList<>();
                for (Backend b : backends) {
                    if (b.serves(alias) && !tried.contains(b) && b.health().available()) {
                        serving.add(b);
                        if (b.hasRoom()) {
                            ready.add(b);
                        }
                    }
                }
                if (serving.isEmpty()) {
                    if (backends.stream().noneMatch(b -> b.serves(alias))) {
                        throw new LlmException("backend_unavailable", "no backend serves model '" + alias + "'");
                    }
                    return null;
                }
                if (!ready.isEmpty()) {
                    Backend b = strategy.pick(ready, sessionKey);
                    b.acquired();
                    return b;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LlmException("overloaded", "every backend for model '" + alias + "' is busy; try again shortly");
                }
                freed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException("cancelled", "interrupted while waiting for a backend");
        } finally {
            lock.unlock();
        }
    }

    private void release(Backend b) {
        lock.lock();
        try {
            b.released();
            freed.signalAll(); // waiters may want different aliases
        } finally {
            lock.unlock();
        }
    }
}
