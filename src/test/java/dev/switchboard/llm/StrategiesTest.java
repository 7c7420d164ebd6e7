package dev.switchboard.llm;

import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import dev.switchboard.config.Provider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each strategy on its own, with in-flight counts set by hand. */
class StrategiesTest {

    private static Backend backend(String name, int weight) {
        BackendSpec spec = BackendSpec.builder(name, Provider.OLLAMA, URI.create("http://127.0.0.1:1"), "m")
                .serves(List.of("chat")).maxConcurrent(1000).weight(weight).timeout(Duration.ofSeconds(1)).build();
        return new Backend(spec, null, new BackendHealth(3, Duration.ofSeconds(30), Clock.systemUTC()));
    }

    private static void load(Backend b, int inflight) {
        while (b.inflight() < inflight) {
            b.acquired();
        }
        while (b.inflight() > inflight) {
            b.released();
        }
    }

    private static Map<String, Integer> tally(BalancingStrategy s, List<Backend> backends, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(s.pick(backends, "session-" + i).name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void least_inflight_picks_the_lowest_load_per_weight() {
        Backend a = backend("a", 1);
        Backend b = backend("b", 3);
        load(a, 1);
        load(b, 2); // (2+1)/3 = 1 < (1+1)/1 = 2
        assertEquals("b", new LeastInflight().pick(List.of(a, b), "x").name());
        load(b, 6); // 7/3 > 2
        assertEquals("a", new LeastInflight().pick(List.of(a, b), "x").name());
    }

    @Test
    void least_inflight_spreads_ties_evenly() {
        List<Backend> three = List.of(backend("a", 1), backend("b", 1), backend("c", 1));
        Map<String, Integer> counts = tally(new LeastInflight(), three, 300);
        assertEquals(Map.of("a", 100, "b", 100, "c", 100), counts);
    }

    @Test
    void round_robin_takes_each_in_turn_whatever_the_load() {
        Backend a = backend("a", 1);
        Backend b = backend("b", 1);
        load(a, 50);
        assertEquals(Map.of("a", 50, "b", 50), tally(new RoundRobin(), List.of(a, b), 100));
    }

    @Test
    void weighted_random_follows_the_weights() {
        Map<String, Integer> counts = tally(new WeightedRandom(), List.of(backend("a", 1), backend("b", 3)), 40_000);
        double share = counts.get("b") / 40_000.0;
        assertTrue(Math.abs(share - 0.75) < 0.02, "b's share " + share);
    }

    @Test
    void power_of_two_never_picks_the_most_loaded_of_three() {
        Backend a = backend("a", 1);
        Backend b = backend("b", 1);
        Backend c = backend("c", 1);
        load(a, 0);
        load(b, 5);
        load(c, 10);
        Map<String, Integer> counts = tally(new PowerOfTwoChoices(), List.of(a, b, c), 3000);
        assertEquals(null, counts.get("c"), "c is the worse of any pair it is drawn in");
        assertTrue(counts.get("a") > counts.get("b"), counts.toString());
    }

    @Test
    void latency_aware_prefers_the_faster_backend_until_it_is_busier() {
        Backend fast = backend("fast", 1);
        Backend slow = backend("slow", 1);
        fast.recordTtft(100);
        slow.recordTtft(400);
        LatencyAware s = new LatencyAware();
        assertEquals("fast", s.pick(List.of(fast, slow), "x").name());
        load(fast, 4); // 100 × 5 = 500 > 400 × 1
        assertEquals("slow", s.pick(List.of(fast, slow), "x").name());
        Backend fresh = backend("fresh", 1);
        assertEquals("fresh", s.pick(List.of(fast, slow, fresh), "x").name(), "an unmeasured backend is tried first");
    }

    @Test
    void latency_aware_smooths_samples() {
        Backend b = backend("b", 1);
        b.recordTtft(100);
        b.recordTtft(200);
        assertEquals(120, b.ttftEwmaMillis(), 0.001);
    }

    @Test
    void session_affinity_keeps_a_session_on_one_backend_and_spreads_sessions() {
        List<Backend> four = List.of(backend("a", 1), backend("b", 1), backend("c", 1), backend("d", 1));
        SessionAffinity s = new SessionAffinity(0.25);
        for (int i = 0; i < 50; i++) {
            String first = s.pick(four, "user-" + i).name();
            for (int k = 0; k < 5; k++) {
                assertEquals(first, s.pick(four, "user-" + i).name(), "follow-up turns land on the same backend");
            }
        }
        Map<String, Integer> counts = tally(s, four, 4000);
        for (String n : List.of("a", "b", "c", "d")) {
            assertTrue(Math.abs(counts.get(n) - 1000) < 150, counts.toString());
        }
    }

    @Test
    void session_affinity_moves_only_the_sessions_of_a_backend_that_leaves() {
        Backend a = backend("a", 1);
        Backend b = backend("b", 1);
        Backend c = backend("c", 1);
        SessionAffinity s = new SessionAffinity(0.25);
        int moved = 0;
        for (int i = 0; i < 1000; i++) {
            String before = s.pick(List.of(a, b, c), "u" + i).name();
            String after = s.pick(List.of(a, b), "u" + i).name();
            if (!before.equals("c") && !before.equals(after)) {
                moved++;
            }
        }
        assertEquals(0, moved, "sessions of a and b stay where they were");
    }

    @Test
    void session_affinity_spills_over_when_its_backend_is_above_the_bound() {
        Backend a = backend("a", 1);
        Backend b = backend("b", 1);
        SessionAffinity s = new SessionAffinity(0.25);
        String session = IntStream.range(0, 100).mapToObj(i -> "u" + i)
                .filter(k -> s.pick(List.of(a, b), k) == a).findFirst().orElseThrow();
        load(a, 10);
        load(b, 2); // cap of a = ceil(1.25 × 13 / 2) = 9 < 11
        assertEquals("b", s.pick(List.of(a, b), session).name(), "a is over (1+ε) × average: spill");
        load(a, 3);
        load(b, 3); // cap = ceil(1.25 × 7 / 2) = 5 ≥ 4
        assertEquals("a", s.pick(List.of(a, b), session).name(), "back home when a is within the bound");
    }

    @Test
    void bounded_load_holds_under_a_skewed_session_mix() {
        // 90% of requests from one hot session: bounded load still keeps every backend within (1+ε)×average+1
        List<Backend> three = List.of(backend("a", 1), backend("b", 1), backend("c", 1));
        SessionAffinity s = new SessionAffinity(0.25);
        for (int i = 0; i < 300; i++) {
            String key = i % 10 == 0 ? "cold-" + i : "hot";
            s.pick(three, key).acquired();
        }
        // 300 in flight over three equal backends, ε = 0.25: none above 125 (1.25 × 100); the hot
        // session's 270 requests could not stay home, so the other two carry at least 175 between them
        List<Integer> load = three.stream().map(Backend::inflight).sorted().toList();
        assertTrue(load.get(2) <= 125, "bounded: " + load);
        assertTrue(load.get(0) + load.get(1) >= 175, "the hot session spilled: " + load);
        assertEquals(300, load.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void the_swarm_file_name_maps_to_its_strategy() {
        assertInstanceOf(SessionAffinity.class, BalancingStrategy.of(withStrategy("session-affinity")));
        assertInstanceOf(LatencyAware.class, BalancingStrategy.of(withStrategy("latency")));
        assertInstanceOf(PowerOfTwoChoices.class, BalancingStrategy.of(withStrategy("power-of-two")));
        assertInstanceOf(WeightedRandom.class, BalancingStrategy.of(withStrategy("weighted")));
        assertInstanceOf(RoundRobin.class, BalancingStrategy.of(withStrategy("round-robin")));
        assertInstanceOf(LeastInflight.class, BalancingStrategy.of(withStrategy("least-inflight")));
        assertNotEquals(SessionAffinity.hash("a"), SessionAffinity.hash("b"));
    }

    private static PoolSpec withStrategy(String name) {
        PoolSpec d = PoolSpec.defaults();
        return d.toBuilder().strategy(name).build();
    }
}
