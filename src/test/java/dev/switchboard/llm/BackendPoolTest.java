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

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool against real simulators over HTTP. */
class BackendPoolTest {
    private final List<Simulator> sims = new ArrayList<>();

    @AfterEach
    void stop() {
        sims.forEach(Simulator::close);
    }

    private Simulator sim(String name, Duration ttft) throws Exception {
        Simulator s = Simulator.start(SimOptions.of(name, 0).withLatency(ttft, Duration.ZERO));
        sims.add(s);
        return s;
    }

    private static BackendSpec spec(String name, Provider provider, String url, int maxConcurrent) {
        return new BackendSpec(name, provider, URI.create(url), "m", List.of("chat"), maxConcurrent, 1, false,
                Optional.of("k"), Duration.ofSeconds(5), Optional.empty());
    }

    private static PoolSpec pool(int retries, Duration queueTimeout) {
        return new PoolSpec("least-inflight", retries, 3, Duration.ofSeconds(30), Duration.ofSeconds(10), queueTimeout, Map.of());
    }

    private static ChatRequest hello() {
        return ChatRequest.builder().messages(UserMessage.from("hello")).build();
    }

    private static String text(BackendPool pool) {
        return pool.chat("chat", "s1", hello()).aiMessage().text();
    }

    @Test
    void least_inflight_spreads_concurrent_requests_over_equal_backends() throws Exception {
        Simulator a = sim("a", Duration.ofMillis(200));
        Simulator b = sim("b", Duration.ofMillis(200));
        BackendPool pool = new BackendPool(List.of(spec("a", Provider.OLLAMA, a.baseUrl(), 4),
                spec("b", Provider.OPENAI, b.baseUrl(), 4)), pool(0, Duration.ofSeconds(5)));
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> text(pool), executor));
            }
            calls.forEach(CompletableFuture::join);
        }
        assertEquals(4, a.requests());
        assertEquals(4, b.requests());
        assertEquals(4, a.maxInflight(), "max-concurrent 4 was used to the full");
    }

    @Test
    void a_refused_connection_is_retried_on_another_backend() throws Exception {
        Simulator b = sim("b", Duration.ZERO);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        BackendPool pool = new BackendPool(List.of(spec("dead", Provider.OLLAMA, "http://127.0.0.1:" + closedPort, 4),
                spec("b", Provider.OLLAMA, b.baseUrl(), 4)), pool(2, Duration.ofSeconds(5)));
        for (int i = 0; i < 4; i++) {
            assertTrue(text(pool).startsWith("(sim b)"));
        }
    }

    @Test
    void server_errors_are_retried_and_reported_when_every_backend_fails() throws Exception {
        Simulator a = sim("a", Duration.ZERO);
        Simulator b = sim("b", Duration.ZERO);
        BackendPool pool = new BackendPool(List.of(spec("a", Provider.OPENAI, a.baseUrl(), 4),
                spec("b", Provider.OPENAI, b.baseUrl(), 4)), pool(2, Duration.ofSeconds(5)));
        a.inject(Fault.error(500, 1));
        b.inject(Fault.error(500, 1));
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("backend_unavailable", e.code());
        assertTrue(e.getMessage().contains("HTTP 500") || e.getMessage().contains("server error"), e.getMessage());
        assertTrue(text(pool).startsWith("(sim "), "both healed after one failure each");
    }

    @Test
    void a_full_pool_waits_for_room_then_says_overloaded() throws Exception {
        Simulator slow = sim("slow", Duration.ofMillis(1500));
        BackendPool pool = new BackendPool(List.of(spec("slow", Provider.OLLAMA, slow.baseUrl(), 1)),
                pool(0, Duration.ofMillis(300)));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> text(pool), Executors.newVirtualThreadPerTaskExecutor());
        while (slow.requests() == 0) {
            Thread.onSpinWait();
        }
        long t0 = System.nanoTime();
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("overloaded", e.code());
        assertTrue(System.nanoTime() - t0 >= 250_000_000L, "it waited for the queue timeout first");
        assertTrue(first.join().startsWith("(sim slow)"));
        assertEquals(1, slow.maxInflight());
    }

    @Test
    void an_alias_nobody_serves_is_a_clear_error() throws Exception {
        Simulator a = sim("a", Duration.ZERO);
        BackendPool pool = new BackendPool(List.of(spec("a", Provider.OLLAMA, a.baseUrl(), 1)), pool(0, Duration.ofSeconds(1)));
        LlmException e = assertThrows(LlmException.class, () -> pool.chat("code", "s", hello()));
        assertTrue(e.getMessage().contains("no backend serves model 'code'"), e.getMessage());
    }
}
