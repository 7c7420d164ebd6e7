package dev.switchboard.edge;

import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    private HttpResponse<String> handshake(String query) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://" + root.getHost() + ":" + root.getPort() + "/chat?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void without_a_valid_token_the_handshake_is_refused_with_401_and_a_reason() throws Exception {
        HttpResponse<String> none = handshake("clientId=alice");
        assertEquals(401, none.statusCode());
        assertTrue(none.body().contains("a token is required"), none.body());
        String bobs = new SessionTokens(List.of("test-key-1")).mint("bob", Instant.now().plusSeconds(60));
        HttpResponse<String> stolen = handshake("clientId=alice&token=" + bobs);
        assertEquals(401, stolen.statusCode());
        assertEquals("the token does not match this clientId", stolen.headers().firstValue("X-Switchboard-Reason").orElse(""));
        assertFalse(stolen.body().contains("test-key"), "no secret in the answer");
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
