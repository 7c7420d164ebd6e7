package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.Replicas;
import dev.switchboard.testing.BinUpStack;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.switchboard.testing.WsClient.usersSeen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17's promises on a real stack (two replicas behind nginx, its own Redis): a turn orphaned
 * by a SIGKILLed replica is taken over within seconds, a replica that is only paused keeps (or
 * cleanly loses) its turn, and a Redis that freezes for 2 s makes no live replica look dead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {
    static final int NGINX = 18880;
    static final int A = 18881;
    static final int B = 18882;
    static final int REDIS = 16579;
    static final Path VAR = Path.of("target/recovery-var").toAbsolutePath();
    static final StackScripts STACK = new StackScripts(VAR, NGINX, A, 2, "redis://127.0.0.1:" + REDIS);
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK);
    static final long TURN_MILLIS = 1000; // [[sim:delay=1000]]: the turn's own time

    @AfterAll
    static void down() throws Exception {
        signal("CONT", A);
    }

    private static long pid(int port) throws IOException {
        return STACK.pid("replica-" + port);
    }

    private static void signal(String sig, int port) throws Exception {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(pid(port))).start().waitFor(5, TimeUnit.SECONDS);
    }

    private static WsClient at(int port, String id) {
        return WsClient.connect("ws://127.0.0.1:" + port, id);
    }

    private static List<String> userIds(WsClient c) {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : c.send(Map.of("type", "history", "limit", 50)).nextOfType("history").path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                ids.add(m.path("id").asText());
            }
        }
        return ids;
    }

    private static double takeovers(int port) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^switchboard_session_takeovers_total(?:\\{[^}]*})? ([0-9.]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    @Order(1)
    void a_replica_sigkilled_mid_turn_is_taken_over_long_before_its_lease_ttl() throws Exception {
        String id = "crash-" + UUID.randomUUID();
        try (WsClient first = at(A, id)) {
            assertEquals("reply", first.send(Map.of("type", "message", "id", "k0", "data", "hello")).next().path("type").asText());
            first.send(Map.of("type", "message", "id", "k1", "data", "a slow one [[sim:delay=" + TURN_MILLIS + "]]"));
            Replicas.awaitTurnAtBackend(11601, 11602, 11603);
            ProcessHandle.of(pid(A)).orElseThrow().destroyForcibly(); // SIGKILL: its lease stays behind
        }
        long killed = System.nanoTime();
        try (WsClient again = WsClient.connect("ws://127.0.0.1:" + NGINX, id)) {
            JsonNode reply = again.send(Map.of("type", "message", "id", "k1", "data", "a slow one [[sim:delay=" + TURN_MILLIS + "]]")).next(30);
            long millis = (System.nanoTime() - killed) / 1_000_000;
            assertEquals("reply", reply.path("type").asText(), reply.toString());
            assertEquals(String.valueOf(B), reply.path("replica").asText());
            // The 3 s goal is bin/bench reliability's (a timing figure, not a test); here: taken over, not
            // waited out — the lease's own TTL is 15 s
            assertTrue(millis - TURN_MILLIS < 10_000, "answered " + millis + " ms after the kill, the turn itself " + TURN_MILLIS + " ms");
            assertEquals(2, usersSeen(reply));
            assertEquals(List.of("k0", "k1"), userIds(again), "stored once");
            System.out.printf("[recovery] SIGKILL mid-turn: answered %d ms after the kill (turn %d ms)%n", millis, TURN_MILLIS);
        }
        assertTrue(takeovers(B) >= 1, "B took the dead replica's lease over");
        Replicas.restartIfDead(STACK, A);
    }

    @Test
    @Order(2)
    void a_replica_paused_for_5_s_without_a_resend_finishes_its_turn_once() throws Exception {
        String id = "pause-" + UUID.randomUUID();
        try (WsClient c = at(A, id)) {
            c.send(Map.of("type", "message", "id", "p1", "data", "slow [[sim:delay=" + TURN_MILLIS + "]]"));
            Replicas.awaitTurnAtBackend(11601, 11602, 11603);
            signal("STOP", A);
            Thread.sleep(5000); // the fault itself: five seconds stopped (a GC pause, a frozen VM)
            signal("CONT", A);
            JsonNode reply = c.next(30);
            assertEquals("reply", reply.path("type").asText(), reply.toString());
            assertEquals(String.valueOf(A), reply.path("replica").asText(), "its own turn, not taken from it");
            assertEquals(List.of("p1"), userIds(c));
        }
    }

    @Test
    @Order(3)
    void a_resend_while_the_replica_is_paused_is_answered_once_and_both_sockets_see_that_answer() throws Exception {
        String id = "pause2-" + UUID.randomUUID();
        try (WsClient onA = at(A, id); WsClient onB = at(B, id)) {
            onA.send(Map.of("type", "message", "id", "q1", "data", "slow [[sim:delay=" + TURN_MILLIS + "]]"));
            Replicas.awaitTurnAtBackend(11601, 11602, 11603);
            signal("STOP", A);
            JsonNode fromB;
            try {
                fromB = onB.send(Map.of("type", "message", "id", "q1", "data", "slow [[sim:delay=" + TURN_MILLIS + "]]")).next(30);
            } finally {
                signal("CONT", A);
            }
            assertEquals("reply", fromB.path("type").asText(), fromB.toString());
            assertEquals(String.valueOf(B), fromB.path("replica").asText());
            JsonNode fromA = onA.next(30);
            assertEquals("reply", fromA.path("type").asText(), "the paused replica's late commit was refused; " + fromA);
            assertEquals(fromB.path("data").asText(), fromA.path("data").asText(), "both sockets see the one stored answer");
            assertTrue(fromA.path("replayed").asBoolean(), fromA.toString());
            assertEquals(List.of("q1"), userIds(onB), "exactly one answer stored");
        }
    }

    @Test
    @Order(4)
    void redis_frozen_for_2_s_makes_no_live_replica_look_dead() throws Exception {
        double before = takeovers(A) + takeovers(B);
        List<CompletableFuture<List<String>>> clients = new ArrayList<>();
        // four sessions of their own, and one that a socket on A and a socket on B contend for: while
        // Redis sleeps, one of those two holds the lease and the other waits, then asks whether the
        // holder lives. A liveness key that expired in the freeze would make it take the lease over.
        String shared = "freeze-shared-" + UUID.randomUUID();
        int[] ports = {A, B, A, B, A, B};
        for (int n = 0; n < ports.length; n++) {
            int port = ports[n];
            String id = n < 4 ? "freeze-" + UUID.randomUUID() : shared;
            String prefix = "s" + n + "-";
            clients.add(CompletableFuture.supplyAsync(() -> {
                List<String> outcomes = new ArrayList<>();
                try (WsClient c = at(port, id)) {
                    for (int i = 0; i < 6; i++) {
                        JsonNode f = c.send(Map.of("type", "message", "id", prefix + i, "data", "turn [[sim:delay=300]]")).next(30);
                        outcomes.add(f.path("type").asText() + (f.has("code") ? ":" + f.path("code").asText() : ""));
                    }
                }
                return outcomes;
            }));
        }
        Replicas.awaitTurnAtBackend(11601, 11602, 11603);
        try (RedisProbe redis = RedisProbe.ofStack(VAR, REDIS)) {
            assertEquals("OK", redis.call("debug", "sleep", "2"), "Redis froze for 2 s");
        }
        for (CompletableFuture<List<String>> c : clients) {
            assertEquals(List.of("reply", "reply", "reply", "reply", "reply", "reply"), c.get(60, TimeUnit.SECONDS));
        }
        assertEquals(before, takeovers(A) + takeovers(B), "no lease was taken from a live replica, the contended one included");
        try (WsClient c = at(A, shared)) {
            assertEquals(12, userIds(c).size(), "the contended session holds both sockets' twelve turns, each once");
        }
    }
}
