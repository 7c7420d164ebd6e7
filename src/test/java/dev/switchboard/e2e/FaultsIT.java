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
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.testing.WsClient.usersSeen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected for real into a running stack (bin/up -d: its own Redis with AOF, two replicas,
 * nginx): Redis killed and restarted, and a replica drained by SIGTERM in the middle of a turn.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    static final int NGINX = 18280;
    static final int FIRST_REPLICA = 18281;
    static final int REDIS = 16479;
    static final Path VAR = Path.of("target/faults-var").toAbsolutePath();
    static final String WS = "ws://127.0.0.1:" + NGINX;
    static final StackScripts STACK = new StackScripts(VAR, NGINX, FIRST_REPLICA, 2, "redis://127.0.0.1:" + REDIS);
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK).fresh("redis");
    static Process restartedRedis;

    @AfterAll
    static void down() throws Exception {
        if (restartedRedis != null) {
            restartedRedis.destroy();
            restartedRedis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Process run(String... command) throws IOException, InterruptedException {
        return STACK.run(command);
    }

    private static long pid(String name) throws IOException {
        return STACK.pid(name);
    }

    @Test
    @Order(1)
    void redis_going_away_is_a_clear_error_and_its_return_resumes_every_session() throws Exception {
        String id = "redis-" + UUID.randomUUID();
        // every write on disk before Redis answers it, so the SIGKILL below cannot lose the first turn
        // (bin/up's default, everysec, would need a second's wait)
        try (RedisProbe redis = RedisProbe.ofStack(VAR, REDIS)) {
            assertEquals("OK", redis.call("config", "set", "appendfsync", "always"));
        }
        try (WsClient c = WsClient.connect(WS, id)) {
            c.send(Map.of("type", "message", "id", "r1", "data", "before the fault"));
            assertEquals("reply", c.next().path("type").asText());

            ProcessHandle redis = ProcessHandle.of(pid("redis")).orElseThrow();
            redis.destroyForcibly();
            redis.onExit().get(10, TimeUnit.SECONDS);

            JsonNode err = c.send(Map.of("type", "message", "id", "r2", "data", "during the fault")).next(30);
            assertEquals("error", err.path("type").asText(), err.toString());
            assertEquals("store_unavailable", err.path("code").asText());
            assertEquals(503, Replicas.readiness(FIRST_REPLICA), "readiness is down while Redis is");

            // the same Redis again: bin/up's config file (port, password, AOF directory)
            restartedRedis = new ProcessBuilder("redis-server", VAR.resolve("redis/redis.conf").toString())
                    .redirectErrorStream(true).redirectOutput(VAR.resolve("log/redis-restarted.log").toFile()).start();
            // the client resends until the store answers again (each try a new id: failed ones stored nothing)
            JsonNode[] after = {null};
            org.awaitility.Awaitility.await("the same socket works again without a restart")
                    .atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(300))
                    .until(() -> "reply".equals((after[0] = c.send(Map.of("type", "message", "id", "r3-" + System.nanoTime(),
                            "data", "after the fault")).next(30)).path("type").asText()));
            assertEquals(2, usersSeen(after[0]), "the session came back from the AOF, without the failed message");
            assertEquals(200, Replicas.readiness(FIRST_REPLICA));
        }
    }

    @Test
    @Order(2)
    void sigterm_finishes_the_running_turn_then_sends_clients_elsewhere_with_1001() throws Exception {
        String id = "drain-" + UUID.randomUUID();
        try (WsClient c = WsClient.connect(WS, id)) {
            JsonNode first = c.send(Map.of("type", "message", "id", "d1", "data", "hello")).next();
            String replica = first.path("replica").asText();
            c.send(Map.of("type", "message", "id", "d2", "data", "a slow one [[sim:delay=2000]]"));
            Replicas.awaitTurnAtBackend(11601, 11602, 11603); // the slow turn is at a backend
            ProcessHandle.of(pid("replica-" + replica)).orElseThrow().destroy(); // SIGTERM

            JsonNode slow = c.nextOfType("reply");
            assertEquals("d2", slow.path("id").asText(), "the running turn finished");
            assertEquals(2, usersSeen(slow));
            assertEquals(1001, c.awaitClose(30), "then the socket was closed with 1001");
        }
        try (WsClient again = WsClient.connect(WS, id)) {
            JsonNode next = again.send(Map.of("type", "message", "id", "d3", "data", "still here?")).next();
            assertEquals("reply", next.path("type").asText(), next.toString());
            assertEquals(3, usersSeen(next), "the whole session, on the other replica");
        }
    }
}
