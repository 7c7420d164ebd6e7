package dev.switchboard.llm;

import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import dev.switchboard.config.Provider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The routing rules on their own: plain objects, a fixed clock, no Vert.x and no HTTP. */
class RoutingTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

    private Backend backend(String name, List<String> serves, boolean backup, int maxConcurrent) {
        BackendSpec spec = BackendSpec.builder(name, Provider.OLLAMA, URI.create("http://127.0.0.1:1"), "m")
                .serves(serves).maxConcurrent(maxConcurrent).backup(backup).timeout(Duration.ofSeconds(1)).build();
        return new Backend(spec, null, new BackendHealth(1, Duration.ofSeconds(30), clock));
    }

    private Routing routing(List<Backend> backends, Map<String, List<String>> fallbacks) {
        return new Routing(backends, PoolSpec.builder().fallbacks(fallbacks).build(), clock);
    }

    @Test
    void primaries_first_then_backups_then_fallbacks_then_the_down_ones_in_panic() {
        Backend a = backend("a", List.of("chat"), false, 2);
        Backend b = backend("b", List.of("chat"), true, 2);
        Backend c = backend("c", List.of("small"), false, 2);
        Routing r = routing(List.of(a, b, c), Map.of("chat", List.of("small")));
        assertEquals(List.of("chat", "small"), r.chain("chat"));
        assertEquals(List.of(a), r.usableGroup("chat", Set.of()));
        a.health().failure("down"); // max-fails 1
        assertEquals(List.of(b), r.usableGroup("chat", Set.of()), "the backup, once no primary is usable");
        b.health().failure("down");
        assertEquals(List.of(c), r.usableGroup("chat", Set.of()), "then the fallback alias");
        c.health().failure("down");
        assertNull(r.healthyGroup("chat", Set.of()));
        assertEquals(List.of(a, b), r.usableGroup("chat", Set.of()), "panic: the down ones of the alias rather than none");
        assertNull(r.usableGroup("chat", Set.of(a, b, c)), "nothing is left once all were tried");
        assertFalse(r.canServe("chat"));
    }

    @Test
    void ready_means_room_now_and_a_cold_model_only_when_no_warm_one_has_room() {
        Backend warm = backend("warm", List.of("chat"), false, 1);
        Backend cold = backend("cold", List.of("chat"), false, 1);
        cold.warmth(Backend.Warmth.COLD);
        Routing r = routing(List.of(warm, cold), Map.of());
        assertEquals(List.of(warm), r.ready(List.of(warm, cold)));
        warm.acquired(); // its one slot is taken
        assertEquals(List.of(cold), r.ready(List.of(warm, cold)), "a cold model beats waiting");
        cold.acquired();
        assertTrue(r.ready(List.of(warm, cold)).isEmpty());
        warm.released();
        warm.busy(clock.millis()); // a 429's cooldown
        assertTrue(r.ready(List.of(warm)).isEmpty(), "a backend cooling down after 429 has no room");
    }

    @Test
    void fallback_chains_end_and_never_loop() {
        Routing r = routing(List.of(), Map.of("a", List.of("b"), "b", List.of("a", "c")));
        assertEquals(List.of("a", "b", "c"), r.chain("a"));
        assertFalse(r.served("a"));
    }
}
