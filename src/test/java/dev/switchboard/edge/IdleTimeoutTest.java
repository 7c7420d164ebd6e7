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

/** An idle socket is closed after the swarm's idle-timeout; its session goes on after a reconnect. */
@QuarkusTest
@TestProfile(IdleTimeoutTest.ShortIdle.class)
@QuarkusTestResource(SimulatorResource.class)
class IdleTimeoutTest {

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.swarm-file", "src/test/resources/swarm-idle.yaml", "sb.edge.idle-sweep-interval", "200ms");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void an_idle_socket_is_closed_normally_and_the_session_survives() {
        String ws = "ws://" + root.getHost() + ":" + root.getPort();
        String id = "idle-" + UUID.randomUUID();
        try (WsClient c = WsClient.connect(ws, id)) {
            c.send("before going quiet").next();
            assertEquals(1000, c.awaitClose(10));
        }
        try (WsClient again = WsClient.connect(ws, id)) {
            JsonNode reply = again.send("back again").next();
            assertEquals(2, WsClient.usersSeen(reply));
        }
    }
}
