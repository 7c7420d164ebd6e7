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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool against real simulators over HTTP: routing, capacity, queueing, failover, health, streaming. */
class BackendPoolTest {
    private final TestBackends backends = new TestBackends();
    private final ExecutorService threads = backends.threads;

    @AfterEach
    void stop() {
        backends.close();
    }

    private Simulator sim(String name, Duration ttft) throws Exception {
        return sim(SimOptions.of(name, 0).withLatency(ttft, Duration.ZERO));
    }

    private Simulator sim(SimOptions options) throws Exception {
        return backends.sim(options);
    }

    private static BackendSpec spec(String name, Provider provider, String url, int maxConcurrent) {
        return spec(name, provider, url, maxConcurrent, List.of("chat"), false);
    }

    private static BackendSpec spec(String name, Provider provider, String url, int maxConcurrent, List<String> serves, boolean backup) {
        return BackendSpec.builder(name, provider, URI.create(url), "m")
                .serves(serves).maxConcurrent(maxConcurrent).backup(backup).apiKey("k").timeout(Duration.ofSeconds(5)).build();
    }

    private static PoolSpec pool(int retries, Duration queueTimeout) {
        return PoolSpec.builder().retries(retries).queueTimeout(queueTimeout).build();
    }

    private BackendPool start(PoolSpec spec, BackendSpec... specs) {
        return backends.pool(spec, List.of(specs));
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ChatRequest hello() {
        return ChatRequest.builder().messages(UserMessage.from("hello")).build();
    }

    private static String text(BackendPool pool) {
        return pool.chat("chat", "s1", hello()).await().indefinitely().aiMessage().text();
    }

    private CompletableFuture<String> async(BackendPool pool) {
        return CompletableFuture.supplyAsync(() -> text(pool), threads);
    }

    @Test
    void least_inflight_spreads_concurrent_requests_over_equal_backends() throws Exception {
        Simulator a = sim("a", Duration.ofMillis(200));
        Simulator b = sim("b", Duration.ofMillis(200));
        BackendPool pool = start(pool(0, Duration.ofSeconds(5)), spec("a", Provider.OLLAMA, a.baseUrl(), 4),
                spec("b", Provider.OPENAI, b.baseUrl(), 4));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(async(pool));
        }
        calls.forEach(CompletableFuture::join);
        assertEquals(4, a.requests());
        assertEquals(4, b.requests());
        assertEquals(4, a.maxInflight(), "max-concurrent 4 was used to the full");
    }

    @Test
    void a_refused_connection_is_retried_on_another_backend() throws Exception {
        Simulator b = sim("b", Duration.ZERO);
        BackendPool pool = start(pool(2, Duration.ofSeconds(5)),
                spec("dead", Provider.OLLAMA, "http://127.0.0.1:" + deadPort(), 4), spec("b", Provider.OLLAMA, b.baseUrl(), 4));
        for (int i = 0; i < 4; i++) {
            assertTrue(text(pool).startsWith("(sim b)"));
        }
    }

    @Test
    void server_errors_are_retried_and_reported_when_every_backend_fails() throws Exception {
        Simulator a = sim("a", Duration.ZERO);
        Simulator b = sim("b", Duration.ZERO);
        BackendPool pool = start(pool(2, Duration.ofSeconds(5)), spec("a", Provider.OPENAI, a.baseUrl(), 4),
                spec("b", Provider.OPENAI, b.baseUrl(), 4));
        a.inject(Fault.error(500, 1));
        b.inject(Fault.error(500, 1));
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("backend_unavailable", e.code());
        assertTrue(e.getMessage().contains("HTTP 500") || e.getMessage().contains("server error"), e.getMessage());
        assertTrue(text(pool).startsWith("(sim "), "both healed after one failure each");
    }

    @Test
    void a_busy_backend_503_is_full_not_dead() throws Exception {
        Simulator a = sim("a", Duration.ZERO);
        Simulator b = sim("b", Duration.ZERO);
        PoolSpec oneStrike = PoolSpec.builder().maxFails(1).queueTimeout(Duration.ofSeconds(5)).build();
        BackendPool pool = start(oneStrike, spec("a", Provider.OLLAMA, a.baseUrl(), 4), spec("b", Provider.OLLAMA, b.baseUrl(), 4));
        a.inject(Fault.error(503, 1));
        b.inject(Fault.error(503, 1));
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("overloaded", e.code(), "every backend said busy: the client hears overloaded, not unavailable");
        for (Backend x : pool.backends()) {
            assertEquals(BackendHealth.State.UP, x.health().state(), "a 503 does not count against health (max-fails 1)");
        }
        waitFor(() -> pool.backends().stream().allMatch(x -> x.hasRoom(System.currentTimeMillis()))); // the busy back-off ends
        assertTrue(text(pool).startsWith("(sim "));
    }

    @Test
    void a_full_pool_waits_for_room_then_says_overloaded() throws Exception {
        Simulator slow = sim("slow", Duration.ofMillis(1500));
        BackendPool pool = start(pool(0, Duration.ofMillis(300)), spec("slow", Provider.OLLAMA, slow.baseUrl(), 1));
        CompletableFuture<String> first = async(pool);
        waitFor(() -> slow.requests() > 0);
        long t0 = System.nanoTime();
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("overloaded", e.code());
        assertTrue(System.nanoTime() - t0 >= 250_000_000L, "it waited for the queue timeout first");
        assertTrue(first.join().startsWith("(sim slow)"));
        assertEquals(1, slow.maxInflight());
    }

    @Test
    void waiting_turns_are_served_first_come_first_served() throws Exception {
        Simulator s = sim("s", Duration.ofMillis(150));
        BackendPool pool = start(pool(0, Duration.ofSeconds(10)), spec("s", Provider.OLLAMA, s.baseUrl(), 1));
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            calls.add(CompletableFuture.runAsync(() -> {
                text(pool);
                order.add(n);
            }, threads));
            // arrive in order 0..4 while 0 holds the only slot
            waitFor(n == 0 ? () -> pool.backends().get(0).inflight() == 1 : () -> pool.waiting() == n);
        }
        calls.forEach(CompletableFuture::join);
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void a_full_wait_queue_answers_overloaded_at_once() throws Exception {
        Simulator s = sim("s", Duration.ofMillis(800));
        PoolSpec tinyQueue = PoolSpec.builder().retries(0).queueTimeout(Duration.ofSeconds(10)).maxQueue(1).build();
        BackendPool pool = start(tinyQueue, spec("s", Provider.OLLAMA, s.baseUrl(), 1));
        CompletableFuture<String> running = async(pool);
        waitFor(() -> pool.backends().get(0).inflight() == 1);
        CompletableFuture<String> queued = async(pool);
        waitFor(() -> pool.waiting() == 1);
        long t0 = System.nanoTime();
        LlmException e = assertThrows(LlmException.class, () -> text(pool));
        assertEquals("overloaded", e.code());
        assertTrue(System.nanoTime() - t0 < 200_000_000L, "no wait when the queue is full");
        assertTrue(running.join().startsWith("(sim s)"));
        assertTrue(queued.join().startsWith("(sim s)"));
    }

    @Test
    void backups_get_traffic_only_when_no_primary_is_healthy() throws Exception {
        Simulator primary = sim("primary", Duration.ZERO);
        Simulator backup = sim("backup", Duration.ZERO);
        PoolSpec oneStrike = PoolSpec.builder().maxFails(1).queueTimeout(Duration.ofSeconds(5)).build();
        BackendPool pool = start(oneStrike, spec("primary", Provider.OLLAMA, primary.baseUrl(), 1),
                spec("backup", Provider.OLLAMA, backup.baseUrl(), 8, List.of("chat"), true));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(async(pool));
        }
        calls.forEach(CompletableFuture::join);
        assertEquals(0, backup.requests(), "a busy primary is waited for, not replaced by a backup");
        primary.inject(new Fault("error", 500, -1));
        assertTrue(text(pool).startsWith("(sim backup)"), "the failing primary is out, the backup answers");
        assertEquals(BackendHealth.State.DOWN, pool.backends().get(0).health().state());
        assertTrue(text(pool).startsWith("(sim backup)"));
    }

    @Test
    void a_fallback_alias_answers_when_its_own_backends_are_gone() throws Exception {
        Simulator small = sim("small", Duration.ZERO);
        PoolSpec spec = PoolSpec.builder().queueTimeout(Duration.ofSeconds(5)).fallbacks(Map.of("large", List.of("chat"))).build();
        BackendPool pool = start(spec, spec("big", Provider.OPENAI, "http://127.0.0.1:" + deadPort(), 4, List.of("large"), false),
                spec("small", Provider.OLLAMA, small.baseUrl(), 4));
        String answer = pool.chat("large", "s", hello()).await().indefinitely().aiMessage().text();
        assertTrue(answer.startsWith("(sim small)"), answer);
        assertEquals(List.of("large", "chat"), pool.chain("large"));
        assertTrue(pool.canServe("large"));
    }

    @Test
    void streaming_delivers_every_token_then_the_whole_answer() throws Exception {
        Simulator s = sim(SimOptions.of("s", 0).withLatency(Duration.ofMillis(20), Duration.ofMillis(2)));
        BackendPool pool = start(pool(0, Duration.ofSeconds(5)), spec("s", Provider.OLLAMA, s.baseUrl(), 2),
                spec("o", Provider.OPENAI, s.baseUrl(), 2));
        for (int i = 0; i < 2; i++) {
            StringBuilder tokens = new StringBuilder();
            AtomicInteger pieces = new AtomicInteger();
            String whole = pool.chat("chat", "s", hello(), t -> {
                tokens.append(t);
                pieces.incrementAndGet();
            }, null).await().indefinitely().aiMessage().text();
            assertEquals(whole, tokens.toString());
            assertTrue(pieces.get() > 3, "several tokens, not one lump: " + pieces.get());
        }
        assertTrue(pool.backends().get(0).ttftEwmaMillis() >= 20, "time to first token was measured");
    }

    @Test
    void with_resuming_off_a_stream_cut_after_output_is_reported_and_not_retried() throws Exception {
        Simulator a = sim("a", Duration.ZERO);
        Simulator b = sim("b", Duration.ZERO);
        BackendPool pool = start(pool(2, Duration.ofSeconds(5)).toBuilder().resumeMidStream(false).build(), spec("a", Provider.OLLAMA, a.baseUrl(), 1),
                spec("b", Provider.OLLAMA, b.baseUrl(), 1));
        a.inject(new Fault("cut", 0, -1));
        b.inject(new Fault("cut", 0, -1));
        StringBuilder seen = new StringBuilder();
        LlmException e = assertThrows(LlmException.class, () -> pool.chat("chat", "s", hello(), seen::append, null).await().indefinitely());
        assertEquals("backend_interrupted", e.code());
        assertFalse(seen.isEmpty(), "some text had gone out");
        assertEquals(1, a.requests() + b.requests(), "not retried: the client saw part of an answer");
    }

    @Test
    void cancel_stops_the_stream() throws Exception {
        Simulator s = sim(SimOptions.of("s", 0).withLatency(Duration.ZERO, Duration.ofMillis(200)));
        BackendPool pool = start(pool(0, Duration.ofSeconds(5)), spec("s", Provider.OLLAMA, s.baseUrl(), 1));
        Cancellation cancel = new Cancellation();
        long t0 = System.nanoTime();
        LlmException e = assertThrows(LlmException.class, () -> pool.chat("chat", "s", hello(), t -> cancel.cancel(), cancel).await().indefinitely());
        assertEquals("cancelled", e.code());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "it did not wait for the whole answer");
        assertEquals(0, pool.backends().get(0).inflight(), "the slot was given back");
    }

    @Test
    void probes_take_a_dead_backend_out_and_bring_it_back_through_a_trial() throws Exception {
        Simulator s = sim("s", Duration.ZERO);
        int port = s.port();
        PoolSpec fastProbes = PoolSpec.builder().retries(0).probeInterval(Duration.ofMillis(100)).queueTimeout(Duration.ofSeconds(1)).build();
        BackendPool pool = start(fastProbes, spec("s", Provider.OPENAI, s.baseUrl(), 2));
        pool.startProbes();
        Backend b = pool.backends().get(0);
        s.close();
        waitFor(() -> b.health().state() == BackendHealth.State.DOWN);
        assertFalse(pool.canServe("chat"));
        assertEquals("backend_unavailable", assertThrows(LlmException.class, () -> text(pool)).code());

        sim(SimOptions.of("s2", port));
        waitFor(() -> b.health().state() == BackendHealth.State.HALF_OPEN);
        assertTrue(text(pool).startsWith("(sim s2)"), "the trial request");
        assertEquals(BackendHealth.State.UP, b.health().state());
    }

    @Test
    void zero_failed_turns_while_one_healthy_backend_remains() throws Exception {
        Simulator slow = sim("slow", Duration.ofMillis(5));
        Simulator failing = sim("failing", Duration.ofMillis(5));
        Simulator killed = sim("killed", Duration.ofMillis(5));
        Simulator healthy = sim("healthy", Duration.ofMillis(5));
        BackendPool pool = start(pool(3, Duration.ofSeconds(10)), spec("slow", Provider.OLLAMA, slow.baseUrl(), 4),
                spec("failing", Provider.OPENAI, failing.baseUrl(), 4), spec("killed", Provider.EXO, killed.baseUrl(), 4),
                spec("healthy", Provider.OLLAMA, healthy.baseUrl(), 4));
        slow.inject(new Fault("slow", 400, -1));
        failing.inject(new Fault("error", 500, -1));
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 15; i++) {
                    try {
                        text(pool);
                    } catch (LlmException e) {
                        failures.incrementAndGet();
                    }
                }
            }, threads));
        }
        waitFor(() -> healthy.requests() + slow.requests() + failing.requests() + killed.requests() >= 16);
        killed.close(); // mid-run
        clients.forEach(CompletableFuture::join);
        assertEquals(0, failures.get(), "every turn was answered");
        assertTrue(healthy.requests() > slow.requests(), "the fast backend took the most");
        assertEquals(BackendHealth.State.DOWN, pool.backends().get(1).health().state(), "the failing one is out");
    }

    @Test
    void a_lone_backend_that_is_down_is_still_tried_and_serves_again_at_its_first_success() throws Exception {
        Simulator s = sim("lone", Duration.ZERO);
        // probes every 30 s and a 30 s cooldown: without panic mode nothing would reach it for 30 s
        BackendPool pool = start(pool(0, Duration.ofSeconds(2)), spec("lone", Provider.OLLAMA, s.baseUrl(), 2));
        s.inject(Fault.error(500, 5));
        for (int i = 0; i < 5; i++) {
            assertEquals("backend_unavailable", assertThrows(LlmException.class, () -> text(pool)).code());
        }
        assertEquals(BackendHealth.State.DOWN, pool.backends().get(0).health().state(), "3 failures put it down");
        long t0 = System.nanoTime();
        assertTrue(text(pool).startsWith("(sim lone)"), "tried although down: the burst is over");
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "at once, not after a cooldown");
        assertEquals(BackendHealth.State.UP, pool.backends().get(0).health().state());
        assertEquals(6, s.requests(), "every turn reached the backend");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }
}
