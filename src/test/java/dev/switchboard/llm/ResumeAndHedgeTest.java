package dev.switchboard.llm;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.HedgeAfter;
import dev.switchboard.config.PoolSpec;
import dev.switchboard.config.Provider;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream that breaks after output goes on at another backend (one answer, no token twice); a
 * late first token is hedged on a second backend and the loser is cancelled; a backend whose model
 * is not loaded is passed over. The simulators' names have one length, so a stitched answer reads
 * like one backend's.
 */
class ResumeAndHedgeTest {
    private final TestBackends backends = new TestBackends();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        backends.close();
    }

    private Simulator sim(String name, Duration ttft, Duration tokenDelay) throws Exception {
        return backends.sim(SimOptions.of(name, 0).withLatency(ttft, tokenDelay).withModel("m"));
    }

    /** {@code first} is the primary; {@code second} a backup, so it is asked only when the primary is out. */
    private BackendPool pool(PoolSpec spec, Simulator first, Simulator second) {
        return backends.pool(spec, List.of(spec(first, false), spec(second, true)), registry);
    }

    private static BackendSpec spec(Simulator s, boolean backup) {
        return BackendSpec.builder(s.name(), Provider.OLLAMA, URI.create(s.baseUrl()), "m")
                .serves(List.of("chat")).backup(backup).timeout(Duration.ofSeconds(10)).build();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }

    private String answerOf(Simulator s, String text) {
        BackendPool alone = backends.pool(PoolSpec.defaults(), List.of(spec(s, false)));
        return alone.chat("chat", "k", ask(text), null, null).await().indefinitely().aiMessage().text();
    }

    private double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void a_stream_cut_mid_answer_goes_on_at_another_backend_as_one_answer() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ofMillis(1));
        Simulator b = sim("sim-b", Duration.ZERO, Duration.ofMillis(1));
        BackendPool pool = pool(PoolSpec.builder().retries(0).build(), a, b);
        a.inject(new Fault("cut", 6, 1)); // six tokens, then the connection drops
        StringBuilder seen = new StringBuilder();
        List<String> resumes = new java.util.ArrayList<>();
        TokenSink sink = new TokenSink() {
            @Override
            public void token(String text) {
                seen.append(text);
            }

            @Override
            public void resumed(String from, String to) {
                resumes.add(from + "->" + to);
            }
        };
        String text = pool.chat("chat", "s", ask("tell me a story [[sim:long=30]]"), sink, null)
                .await().indefinitely().aiMessage().text();

        assertEquals(seen.toString(), text, "the client got every piece once, in order, and they are the answer");
        String whole = answerOf(b, "tell me a story [[sim:long=30]]");
        assertEquals(whole.replace("sim-b", "sim-a"), text, "the first backend's beginning, the second's rest: one answer");
        assertEquals(List.of("sim-a->sim-b"), resumes);
        assertEquals(1, counter("switchboard.backend.resumes", "from", "sim-a", "to", "sim-b"));
        assertEquals(1, a.requests());
    }

    @Test
    void a_stream_that_stalls_after_its_first_tokens_is_resumed_too() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ofMillis(1));
        Simulator b = sim("sim-b", Duration.ZERO, Duration.ofMillis(1));
        BackendPool pool = pool(PoolSpec.builder().retries(0).stallTimeout(Duration.ofMillis(300)).build(), a, b);
        a.inject(new Fault("stall", 4, 1));
        StringBuilder seen = new StringBuilder();
        long t0 = System.nanoTime();
        String text = pool.chat("chat", "s", ask("go on [[sim:long=20]]"), seen::append, null).await().indefinitely().aiMessage().text();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(seen.toString(), text);
        assertEquals(answerOf(b, "go on [[sim:long=20]]").replace("sim-b", "sim-a"), text);
        assertTrue(millis >= 300, "the stall was waited out: " + millis + " ms");
    }

    @Test
    void without_another_backend_a_cut_stream_is_backend_interrupted() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ofMillis(1));
        BackendPool pool = backends.pool(PoolSpec.defaults(), List.of(spec(a, false)), registry);
        a.inject(new Fault("cut", 3, -1));
        StringBuilder seen = new StringBuilder();
        LlmException e = assertThrows(LlmException.class,
                () -> pool.chat("chat", "s", ask("hello [[sim:long=10]]"), seen::append, null).await().indefinitely());
        assertEquals("backend_interrupted", e.code());
        assertFalse(seen.isEmpty(), "the client had part of it");
        assertEquals(1, a.requests(), "the only backend is not asked to continue its own broken answer");
    }

    @Test
    void resumes_are_bounded_by_max_resumes() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ofMillis(1));
        Simulator b = sim("sim-b", Duration.ZERO, Duration.ofMillis(1));
        BackendPool pool = pool(PoolSpec.builder().maxResumes(1).build(), a, b);
        a.inject(new Fault("cut", 3, -1));
        b.inject(new Fault("cut", 3, -1));
        LlmException e = assertThrows(LlmException.class,
                () -> pool.chat("chat", "s", ask("hello [[sim:long=10]]"), t -> { }, null).await().indefinitely());
        assertEquals("backend_interrupted", e.code());
        assertEquals(2, a.requests() + b.requests(), "one resume, then the client is told");
    }

    @Test
    void a_late_first_token_is_hedged_and_the_loser_is_cancelled() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ZERO);
        Simulator b = sim("sim-b", Duration.ZERO, Duration.ZERO);
        BackendPool pool = pool(PoolSpec.builder().hedgeAfter(HedgeAfter.parse("100ms")).build(), a, b);
        a.inject(new Fault("slow", 1500, 1));
        long t0 = System.nanoTime();
        String text = pool.chat("chat", "s", ask("quick?"), t -> { }, null).await().indefinitely().aiMessage().text();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(text.startsWith("(sim sim-b)"), text);
        assertTrue(millis < 1500, "the hedge answered before the slow one could have: " + millis + " ms");
        assertEquals(1, counter("switchboard.pool.hedges", "alias", "chat"));
        assertEquals(1, counter("switchboard.pool.hedge.wins", "alias", "chat"));
        assertEquals(0, pool.backends().get(0).inflight(), "the loser's slot was given back at once");
        waitFor(() -> a.aborted() == 1, "the slow backend saw its connection closed");
    }

    @Test
    void a_hedge_refused_with_429_or_400_does_not_count_against_its_backends_health_but_a_500_does() throws Exception {
        for (int status : new int[]{429, 503, 400, 500}) {
            Simulator a = sim("sim-a", Duration.ZERO, Duration.ZERO);
            Simulator b = sim("sim-b", Duration.ZERO, Duration.ZERO);
            // one counted failure marks a backend down, so a miscount shows at once
            BackendPool pool = pool(PoolSpec.builder().maxFails(1).hedgeAfter(HedgeAfter.parse("100ms")).build(), a, b);
            a.inject(new Fault("slow", 600, 1));
            b.inject(new Fault("error", status, 1));
            String text = pool.chat("chat", "s", ask("quick?"), t -> { }, null).await().indefinitely().aiMessage().text();
            assertTrue(text.startsWith("(sim sim-a)"), "the first attempt answers: " + text);
            assertEquals(1, b.requests(), "the hedge went to b");
            BackendHealth.State expected = status == 500 ? BackendHealth.State.DOWN : BackendHealth.State.UP;
            assertEquals(expected, pool.backends().get(1).health().state(),
                    "a hedge answered " + status + ": busy and refused requests are not the backend's failure, a 500 is");
            pool.close();
        }
    }

    @Test
    void a_first_token_in_time_is_not_hedged() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ZERO);
        Simulator b = sim("sim-b", Duration.ZERO, Duration.ZERO);
        BackendPool pool = pool(PoolSpec.builder().hedgeAfter(HedgeAfter.parse("500ms")).build(), a, b);
        for (int i = 0; i < 5; i++) {
            assertTrue(pool.chat("chat", "s", ask("hi"), null, null).await().indefinitely().aiMessage().text().startsWith("(sim sim-a)"));
        }
        assertEquals(0, b.requests());
        assertEquals(0, counter("switchboard.pool.hedges", "alias", "chat"));
    }

    @Test
    void a_percentile_threshold_waits_for_enough_measurements() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO, Duration.ZERO);
        BackendPool pool = backends.pool(PoolSpec.defaults(), List.of(spec(a, false)));
        Backend backend = pool.backends().get(0);
        assertEquals(-1, backend.ttftPercentile(95));
        for (int i = 1; i <= 100; i++) {
            backend.recordTtft(i);
        }
        assertEquals(95, backend.ttftPercentile(95));
        assertEquals(50, backend.ttftPercentile(50));
    }

    @Test
    void a_backend_whose_model_is_not_loaded_is_passed_over() throws Exception {
        Simulator cold = sim("sim-a", Duration.ZERO, Duration.ZERO);
        Simulator warm = sim("sim-b", Duration.ZERO, Duration.ZERO);
        cold.setLoaded(false, 2000);
        BackendPool pool = backends.pool(PoolSpec.builder().probeInterval(Duration.ofMillis(100)).strategy("round-robin").build(),
                List.of(spec(cold, false), spec(warm, false)), registry);
        pool.startProbes();
        waitFor(() -> pool.backends().get(0).warmth() == Backend.Warmth.COLD
                && pool.backends().get(1).warmth() == Backend.Warmth.LOADED, "the probes read /api/ps");
        for (int i = 0; i < 6; i++) {
            pool.chat("chat", "s" + i, ask("hi"), null, null).await().indefinitely();
        }
        assertEquals(0, cold.requests(), "round-robin would have sent half there");
        assertEquals(6, warm.requests());
    }
}
