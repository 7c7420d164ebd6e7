package dev.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promise 2's other choice: with {@code sb.session.lease-wait=0s} a message for a session whose
 * turn runs elsewhere is not held; it gets {@code busy} at once, and nothing of it is stored.
 */
@QuarkusTest
@TestProfile(BusyAtOnceTest.NoWaiting.class)
@QuarkusTestResource(SimulatorResource.class)
class BusyAtOnceTest {

    public static class NoWaiting implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.session.lease-wait", "0s");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void a_second_socket_of_a_busy_session_gets_busy_at_once() {
        String ws = "ws://" + root.getHost() + ":" + root.getPort();
        String id = "busy-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(ws, id); WsClient b = WsClient.connect(ws, id)) {
            long before = SimulatorResource.A.requests() + SimulatorResource.B.requests();
            a.send(Map.of("type", "message", "id", "a-1", "data", "a long one [[sim:delay=1500]]"));
            // a's turn has reached a backend, so it holds the session's lease
            await(() -> SimulatorResource.A.requests() + SimulatorResource.B.requests() > before);
            long t0 = System.nanoTime();
            JsonNode busy = b.send(Map.of("type", "message", "id", "b-1", "data", "from b")).next();
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("error", busy.path("type").asText(), busy.toString());
            assertEquals("busy", busy.path("code").asText(), busy.toString());
            assertEquals("b-1", busy.path("id").asText());
            assertTrue(waitedMs < 1000, "answered before a's turn ended, not after it: " + waitedMs + " ms");

            assertEquals("reply", a.next().path("type").asText());
            JsonNode history = b.send(Map.of("type", "history")).next().path("messages");
            assertEquals(2, history.size(), "only a's turn was stored: " + history);
            assertEquals("a-1", history.get(0).path("id").asText());
            // once a's turn is over the session takes b's message
            assertEquals("reply", b.send(Map.of("type", "message", "id", "b-1", "data", "from b")).next().path("type").asText());
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting");
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }
}
