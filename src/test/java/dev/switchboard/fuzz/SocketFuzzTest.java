package dev.switchboard.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generated garbage through a real socket: each frame is answered, the socket and the replica stay up, other sessions work. */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class SocketFuzzTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void three_thousand_bad_frames_are_each_answered_and_harm_nobody() {
        String base = "ws://" + root.getHost() + ":" + root.getPort();
        Random random = new Random(7);
        String alphabet = "{}[]\":,\\ abcdefxyz0123456789typeidlimitcancelhistory\u0000\u00e9";
        try (WsClient fuzz = WsClient.connect(base, "fuzz-" + UUID.randomUUID());
             WsClient bystander = WsClient.connect(base, "bystander-" + UUID.randomUUID())) {
            bystander.send("hello before");
            assertEquals("reply", bystander.next().path("type").asText());
            int frames = 3000;
            for (int i = 0; i < frames; i++) {
                StringBuilder sb = new StringBuilder("{");
                int n = 1 + random.nextInt(60);
                for (int k = 0; k < n; k++) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                fuzz.send(sb.toString());
            }
            int errors = 0;
            for (int i = 0; i < frames; i++) {
                JsonNode f = fuzz.next();
                assertEquals("error", f.path("type").asText(), f.toString());
                assertTrue(f.path("code").asText().matches("bad_frame|unknown_type|too_large"), f.toString());
                errors++;
            }
            assertEquals(frames, errors, "one error frame per bad frame");
            fuzz.send("still alive?");
            JsonNode reply = fuzz.next();
            assertEquals("reply", reply.path("type").asText(), "the fuzzed socket still chats");
            assertTrue(reply.path("data").asText().contains("users=1"), "no garbage reached the session's history");
            bystander.send("hello after");
            assertTrue(bystander.next().path("data").asText().contains("users=2"), "the other session is untouched");
        }
    }
}
