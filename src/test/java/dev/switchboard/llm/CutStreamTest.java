package dev.switchboard.llm;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import dev.switchboard.config.Provider;
import dev.switchboard.sim.Fault;
import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that cuts its answer off ends the call at once, not at the backend's timeout. Found by
 * the soak: the simulator's cut ends Ollama's NDJSON stream without its {@code done} line, after
 * which LangChain4j calls neither completion nor error, and every such call waited its whole
 * timeout while its session's lease was kept alive.
 */
class CutStreamTest {
    private final TestBackends backends = new TestBackends();

    @AfterEach
    void stop() {
        backends.close();
    }

    @Test
    void calls_cut_mid_answer_end_at_once_streamed_or_not() throws Exception {
        Simulator s = backends.sim(SimOptions.of("s", 0).withLatency(Duration.ofMillis(50), Duration.ofMillis(5)));
        Duration timeout = Duration.ofSeconds(20);
        BackendPool pool = backends.pool(PoolSpec.builder().retries(0).maxFails(1_000_000)
                .probeInterval(Duration.ofSeconds(30)).queueTimeout(Duration.ofSeconds(5)).resumeMidStream(false).build(), List.of(BackendSpec.builder("s", Provider.OLLAMA,
                URI.create(s.baseUrl()), "m").serves(List.of("chat")).maxConcurrent(64).timeout(timeout).build()));
        s.inject(new Fault("cut", 0, -1));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            boolean stream = i % 2 == 0;
            calls.add(CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                ChatRequest r = ChatRequest.builder().messages(UserMessage.from("hello [[sim:long=20]]")).build();
                try {
                    if (stream) {
                        pool.chat("chat", null, r, t -> { }, null).await().indefinitely();
                    } else {
                        pool.chat("chat", null, r).await().indefinitely();
                    }
                    return "answered";
                } catch (LlmException e) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(ms < 5_000, "ended in " + ms + " ms; the timeout is " + timeout.toMillis());
                    return e.code();
                }
            }, backends.threads));
        }
        for (int i = 0; i < calls.size(); i++) {
            // streamed: text had gone out, so interrupted; not streamed: nothing was shown, so unavailable (no retry left)
            assertEquals(i % 2 == 0 ? "backend_interrupted" : "backend_unavailable", calls.get(i).join(), "call " + i);
        }
        assertEquals(0, pool.backends().get(0).inflight(), "every slot given back");
    }
}
