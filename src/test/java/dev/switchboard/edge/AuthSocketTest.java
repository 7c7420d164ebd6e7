package dev.switchboard.edge;

import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With sb.auth.required the handshake needs a token signed for that clientId. */
@QuarkusTest
@TestProfile(AuthSocketTest.AuthOn.class)
@QuarkusTestResource(SimulatorResource.class)
class AuthSocketTest {

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.auth.required", "true", "sb.auth.keys", "test-key-2,test-key-1");
        }
    }

    @TestHTTPResource("/")
    URL root;

    private Handshake.Answer handshake(String query) {
        return Handshake.upgrade(root.getHost(), root.getPort(), "/chat?" + query);
    }

    @Test
    void without_a_valid_token_the_handshake_is_refused_with_401_and_a_reason() {
        Handshake.Answer none = handshake("clientId=alice");
        assertEquals(401, none.status());
        assertTrue(none.reason().contains("a token is required"), none.reason());
        String bobs = new SessionTokens(List.of("test-key-1")).mint("bob", Instant.now().plusSeconds(60));
        Handshake.Answer stolen = handshake("clientId=alice&token=" + bobs);
        assertEquals(401, stolen.status());
        assertEquals("the token does not match this clientId", stolen.reason());
        assertFalse(stolen.headers().toString().contains("test-key"), "no secret in the answer");
        String expired = new SessionTokens(List.of("test-key-1")).mint("alice", Instant.now().minusSeconds(1));
        assertEquals("the token has expired", handshake("clientId=alice&token=" + expired).reason());
    }

    @Test
    void a_token_signed_with_either_key_opens_the_session() {
        String token = new SessionTokens(List.of("test-key-1")).mint("carol", Instant.now().plusSeconds(60));
        // WsClient puts the clientId last in the query; the token rides along after it
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), "carol&token=" + token)) {
            c.send("hello with a token");
            assertEquals("reply", c.next().path("type").asText());
        }
    }
}
