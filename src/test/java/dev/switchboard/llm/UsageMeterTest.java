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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a call through the pool costs is counted once per try the backend worked on: the backend's
 * own report when it gives one (both wire formats), an estimate marked as such when it does not,
 * and the tries a caller never sees (a stream cut before its usage, a hedge's loser) too.
 */
class UsageMeterTest {
    private final TestBackends backends = new TestBackends();

    @AfterEach
    void close() {
        backends.close();
    }

    private Simulator sim(String name, Duration ttft) throws Exception {
        return backends.sim(SimOptions.of(name, 0).withLatency(ttft, Duration.ofMillis(1)).withModel("m"));
    }

    private static BackendSpec spec(Simulator s, Provider provider, boolean backup) {
        return BackendSpec.builder(s.name(), provider, URI.create(s.baseUrl()), "m")
                .serves(List.of("chat")).backup(backup).timeout(Duration.ofSeconds(10)).build();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }

    @Test
    void the_backends_own_report_is_used_in_both_formats_streamed_or_not() throws Exception {
        for (Provider provider : new Provider[]{Provider.OLLAMA, Provider.OPENAI}) {
            for (boolean stream : new boolean[]{false, true}) {
                Simulator a = sim("sim-a-" + provider.id() + stream, Duration.ZERO);
                a.reportUsage(11, 4);
                BackendPool pool = backends.pool(PoolSpec.defaults(), List.of(spec(a, provider, false)));
                UsageMeter meter = new UsageMeter();
                pool.chat("chat", "s", ask("hello"), stream ? t -> { } : null, null, meter, dev.switchboard.trace.TurnTrace.NONE).await().indefinitely();
                assertEquals(new Usage(11, 4, false), meter.total(), provider + " stream=" + stream);
                assertEquals(1, meter.completions());
                pool.close();
            }
        }
    }

    @Test
    void a_backend_that_reports_nothing_is_estimated_and_marked_so() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO);
        a.reportNoUsage();
        BackendPool pool = backends.pool(PoolSpec.defaults(), List.of(spec(a, Provider.OPENAI, false)));
        UsageMeter meter = new UsageMeter();
        String text = pool.chat("chat", "s", ask("count the words of this question please"), null, null, meter, dev.switchboard.trace.TurnTrace.NONE)
                .await().indefinitely().aiMessage().text();
        Usage u = meter.total();
        assertTrue(u.estimated());
        assertEquals(TokenEstimate.of(ask("count the words of this question please")), u.input());
        assertEquals(TokenEstimate.of(text), u.output());
        assertTrue(u.input() > 6 && u.output() > 0, u.toString());
    }

    @Test
    void a_stream_cut_and_resumed_counts_both_tries() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO);
        Simulator b = sim("sim-b", Duration.ZERO);
        a.reportUsage(100, 50); // never sent: the stream breaks before its last line
        b.reportUsage(7, 3);
        BackendPool pool = backends.pool(PoolSpec.builder().retries(0).build(),
                List.of(spec(a, Provider.OLLAMA, false), spec(b, Provider.OLLAMA, true)));
        a.inject(new Fault("cut", 6, 1));
        UsageMeter meter = new UsageMeter();
        pool.chat("chat", "s", ask("tell me a story [[sim:long=30]]"), t -> { }, null, meter, dev.switchboard.trace.TurnTrace.NONE).await().indefinitely();
        assertEquals(2, meter.completions(), "the cut try and the resumed one");
        Usage u = meter.total();
        assertTrue(u.estimated(), "the cut try reported nothing: estimated");
        assertTrue(u.input() > 7 && u.output() > 3, "the cut try's prompt and its six tokens are on top of b's report: " + u);
        assertTrue(u.input() < 100, "a's report was never received, so it cannot be counted: " + u);
    }

    @Test
    void a_hedges_losing_try_is_spent_too() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO);
        Simulator b = sim("sim-b", Duration.ZERO);
        a.reportUsage(20, 5);
        b.reportUsage(20, 5);
        BackendPool pool = backends.pool(PoolSpec.builder().hedgeAfter(HedgeAfter.parse("100ms")).build(),
                List.of(spec(a, Provider.OLLAMA, false), spec(b, Provider.OLLAMA, true)));
        a.inject(new Fault("slow", 1500, 1));
        UsageMeter meter = new UsageMeter();
        String text = pool.chat("chat", "s", ask("quick?"), t -> { }, null, meter, dev.switchboard.trace.TurnTrace.NONE).await().indefinitely().aiMessage().text();
        assertTrue(text.startsWith("(sim sim-b)"), text);
        assertEquals(2, meter.completions(), "the winner and the cancelled loser");
        assertEquals(25 + TokenEstimate.of(ask("quick?")), meter.total().total(), "b's report plus the loser's prompt, estimated");
        assertTrue(meter.total().estimated());
    }

    @Test
    void a_try_refused_before_any_output_costs_nothing() throws Exception {
        Simulator a = sim("sim-a", Duration.ZERO);
        Simulator b = sim("sim-b", Duration.ZERO);
        b.reportUsage(9, 1);
        BackendPool pool = backends.pool(PoolSpec.builder().retries(1).build(),
                List.of(spec(a, Provider.OPENAI, false), spec(b, Provider.OPENAI, true)));
        a.inject(new Fault("error", 500, 1));
        UsageMeter meter = new UsageMeter();
        pool.chat("chat", "s", ask("hi"), null, null, meter, dev.switchboard.trace.TurnTrace.NONE).await().indefinitely();
        assertEquals(new Usage(9, 1, false), meter.total());
        assertFalse(meter.total().estimated());
    }
}
