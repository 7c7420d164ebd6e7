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

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promise 4 of docs/RELIABILITY.md: every way a backend can fail (500s, a hang, a stream cut
 * halfway, garbage bytes, a slow loris) ends in a retry or a clear error within the configured
 * timeout, on the blocking and the streaming path, and leaves nothing behind: no pool slot, no
 * platform thread, no connection that grows with the number of faults.
 */
class BackendFaultsTest {
    private static final Duration TIMEOUT = Duration.ofMillis(2000);
    private static final List<Fault> FAULTS = List.of(new Fault("error", 500, -1), new Fault("hang", 0, -1),
            new Fault("cut", 0, -1), new Fault("garbage", 0, -1), new Fault("drip", 50, -1));
    private static final int CALLS = 6; // at once, per fault and path

    private final TestBackends backends = new TestBackends();
    private final ExecutorService threads = backends.threads;

    @AfterEach
    void stop() {
        backends.close();
    }

    private Simulator sim(String name) throws Exception {
        // a long answer, so a cut stream has sent text before it breaks
        return backends.sim(SimOptions.of(name, 0).withLatency(Duration.ofMillis(5), Duration.ofMillis(2)));
    }

    private BackendPool pool(Simulator... sims) {
        List<BackendSpec> specs = new ArrayList<>();
        for (Simulator s : sims) {
            specs.add(BackendSpec.builder(s.name(), Provider.OLLAMA, URI.create(s.baseUrl()), "m")
                    .serves(List.of("chat")).maxConcurrent(16).timeout(TIMEOUT).build());
        }
        // passive health would take the faulty backend out after a few failures and the faults
        // would stop being exercised: max-fails is set out of reach
        PoolSpec spec = PoolSpec.builder().strategy("round-robin").retries(1).maxFails(1_000_000)
                .probeInterval(Duration.ofSeconds(30)).queueTimeout(Duration.ofSeconds(5)).build();
        return backends.pool(spec, specs);
    }

    /** What one call ended in, and how long it took. */
    private record Outcome(String code, long millis) {
    }

    private Outcome call(BackendPool pool, boolean stream) {
        long t0 = System.nanoTime();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hello [[sim:long=40]]")).build();
        try {
            String text = stream
                    ? pool.chat("chat", null, request, t -> { }, null).await().indefinitely().aiMessage().text()
                    : pool.chat("chat", null, request).await().indefinitely().aiMessage().text();
            return new Outcome(text.startsWith("(sim ") ? "answered" : "wrong answer: " + text, (System.nanoTime() - t0) / 1_000_000);
        } catch (LlmException e) {
            return new Outcome(e.code(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Runs CALLS at once for every fault on both paths; returns every outcome, checked by the caller. */
    private List<String> round(BackendPool pool, Simulator faulty, Set<String> allowed, long boundMillis) {
        List<String> problems = new ArrayList<>();
        for (Fault fault : FAULTS) {
            faulty.inject(fault);
            for (boolean stream : new boolean[] {false, true}) {
                List<CompletableFuture<Outcome>> calls = new ArrayList<>();
                for (int i = 0; i < CALLS; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> call(pool, stream), threads));
                }
                for (CompletableFuture<Outcome> c : calls) {
                    Outcome o = c.join();
                    String what = fault.mode() + (stream ? "/stream" : "/blocking");
                    if (!allowed.contains(o.code())) {
                        problems.add(what + " ended in " + o.code());
                    }
                    if (o.millis() > boundMillis) {
                        problems.add(what + " took " + o.millis() + " ms (bound " + boundMillis + ")");
                    }
                }
            }
        }
        faulty.inject(Fault.NONE);
        return problems;
    }

    @Test
    void with_a_healthy_backend_beside_it_every_fault_is_retried_there() throws Exception {
        Simulator faulty = sim("faulty");
        Simulator healthy = sim("healthy");
        BackendPool pool = pool(faulty, healthy);
        // one try on the faulty backend (at most the timeout), one on the healthy one; a stream cut
        // after text went out is resumed there (resume-mid-stream), so every call is answered
        long bound = 2 * TIMEOUT.toMillis() + 1500;
        Set<String> allowed = Set.of("answered");

        List<String> problems = round(pool, faulty, allowed, bound);
        Resources after1 = Resources.settled(faulty, healthy);
        problems.addAll(round(pool, faulty, allowed, bound));
        Resources after2 = Resources.settled(faulty, healthy);

        assertEquals(List.of(), problems);
        assertTrue(healthy.requests() >= FAULTS.size() * 2 * CALLS, "the healthy backend answered the retries");
        after2.assertNoGrowthSince(after1);
        pool.backends().forEach(b -> assertEquals(0, b.inflight(), "slot of " + b.name() + " given back"));
    }

    @Test
    void alone_a_faulty_backend_gives_a_clear_error_within_its_timeout() throws Exception {
        Simulator faulty = sim("faulty");
        BackendPool pool = pool(faulty);
        long bound = TIMEOUT.toMillis() + 1500;
        Set<String> allowed = Set.of("backend_unavailable", "backend_interrupted");

        List<String> problems = round(pool, faulty, allowed, bound);
        Resources after1 = Resources.settled(faulty);
        problems.addAll(round(pool, faulty, allowed, bound));
        Resources after2 = Resources.settled(faulty);

        assertEquals(List.of(), problems);
        after2.assertNoGrowthSince(after1);
        assertEquals(0, pool.backends().get(0).inflight(), "slot given back");
        assertTrue(call(pool, false).code().equals("answered") && call(pool, true).code().equals("answered"),
                "the backend serves again once its fault is cleared");
    }

    /**
     * Platform threads of this JVM and the client side of TCP connections to the simulators
     * (established or half-closed), read from /proc/net/tcp*. The simulators' own server sockets
     * are not counted: a hung handler keeps its end open on purpose.
     */
    private record Resources(int platformThreads, int connections, Set<String> threadNames) {
        /**
         * Reads once the aftermath of a round is over: the simulators' handlers of aborted exchanges
         * (a slow loris notices its client left at its next byte) and the client's connections
         * have stopped changing over three readings 200 ms apart; 10 s at most.
         */
        static Resources settled(Simulator... sims) throws Exception {
            Set<Integer> ports = new java.util.HashSet<>();
            for (Simulator s : sims) {
                ports.add(s.port());
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            Resources last = read(ports);
            int handlers = handlers(sims);
            for (int same = 0; same < 3 && System.nanoTime() < deadline; ) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
                Resources now = read(ports);
                int h = handlers(sims);
                same = now.platformThreads == last.platformThreads && now.connections == last.connections && h == handlers
                        ? same + 1 : 0;
                last = now;
                handlers = h;
            }
            return last;
        }

        private static int handlers(Simulator... sims) {
            int n = 0;
            for (Simulator s : sims) {
                n += s.inflight();
            }
            return n;
        }

        private static Resources read(Set<Integer> ports) throws IOException {
            Set<String> names = new java.util.TreeSet<>();
            Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
            return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(),
                    clientConnections(Path.of("/proc/net/tcp"), ports) + clientConnections(Path.of("/proc/net/tcp6"), ports), names);
        }

        private static int clientConnections(Path table, Set<Integer> ports) throws IOException {
            if (!Files.exists(table)) {
                return 0;
            }
            List<String> lines = Files.readAllLines(table);
            int n = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                String state = f[3]; // 01 ESTABLISHED, 08 CLOSE_WAIT
                if (ports.contains(remotePort) && (state.equals("01") || state.equals("08"))) {
                    n++;
                }
            }
            return n;
        }

        void assertNoGrowthSince(Resources before) {
            System.out.printf("after round 1: %d platform threads, %d connections; after round 2: %d, %d%n",
                    before.platformThreads, before.connections, platformThreads, connections);
            // keep-alive connections are pooled and reused, bounded by the calls in flight at once
            assertTrue(platformThreads <= before.platformThreads + 2,
                    "platform threads grew: " + before.platformThreads + " -> " + platformThreads + ", new: "
                            + threadNames.stream().filter(n -> !before.threadNames.contains(n)).toList());
            assertTrue(connections <= before.connections + 2,
                    "connections to the backends grew: " + before.connections + " -> " + connections);
            assertTrue(connections <= 2 * CALLS * 2, "connections bounded by the calls at once: " + connections);
        }
    }
}
