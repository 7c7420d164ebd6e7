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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-replica limits: a session's message rate and sockets per clientId. */
@QuarkusTest
@TestProfile(RateLimitTest.Tight.class)
@QuarkusTestResource(SimulatorResource.class)
class RateLimitTest {

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.limits.session-rate", "2", "sb.limits.session-burst", "3", "sb.limits.sockets-per-client", "2");
        }
    }

    @TestHTTPResource("/")
    URL root;

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }

    @Test
    void a_burst_past_the_session_limit_gets_rate_limited_and_the_session_goes_on() throws Exception {
        try (WsClient c = WsClient.connect(ws(), "rl-" + UUID.randomUUID())) {
            for (int i = 0; i < 6; i++) {
                c.send("{\"type\":\"history\",\"limit\":1}");
            }
            List<String> types = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode f = c.next();
                types.add(f.path("type").asText() + (f.has("code") ? ":" + f.path("code").asText() : ""));
            }
            assertEquals(3, types.stream().filter("history"::equals).count(), types.toString());
            assertEquals(3, types.stream().filter("error:rate_limited"::equals).count(), types.toString());
            // the socket stays open: a limited frame is answered, not punished (the refill is BucketTest's)
            assertEquals("rate_limited", c.send("one more").next().path("code").asText());
        }
    }

    @Test
    void a_bucket_refills_at_its_rate_up_to_its_burst() {
        long second = 1_000_000_000L;
        RateLimits.Bucket b = new RateLimits.Bucket(2, 3, 0);
        assertTrue(b.take(0) && b.take(0) && b.take(0), "a burst of three");
        assertFalse(b.take(0), "then empty");
        assertFalse(b.take(second / 4), "half a token after 250 ms");
        assertTrue(b.take(second / 2), "one token after 500 ms at 2/s");
        assertFalse(b.take(second / 2));
        assertFalse(b.full(second * 19 / 10), "2.8 tokens 1.4 s after the last take");
        assertTrue(b.full(second * 2), "full again after 1.5 s: such a bucket is dropped by the sweep");
        assertTrue(b.take(second * 10) && b.take(second * 10) && b.take(second * 10) && !b.take(second * 10), "never more than the burst");
    }

    @Test
    void a_third_socket_of_one_client_id_is_closed() {
        String id = "rl-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(ws(), id); WsClient b = WsClient.connect(ws(), id);
             WsClient c = WsClient.connect(ws(), id)) {
            assertEquals(1008, c.awaitClose(10));
            a.send("first socket still works");
            assertTrue(a.nextOfType("reply").path("data").asText().contains("first socket"));
        }
    }
}
