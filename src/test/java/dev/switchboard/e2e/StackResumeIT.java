package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.Replicas;
import dev.switchboard.testing.BinUpStack;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.testing.WsClient.usersSeen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack as a user runs it: {@code bin/up -d} (Redis, simulators, five replica processes,
 * the bundled nginx config) on test ports, a client talking through nginx, a replica SIGKILLed by
 * its pid, and the conversation going on on another replica with its history and agent.
 */
class StackResumeIT {
    static final int NGINX = 18080;
    static final int FIRST_REPLICA = 18081;
    static final Path VAR = Path.of("target/e2e-var").toAbsolutePath();
    static final String WS = "ws://127.0.0.1:" + NGINX;
    static final StackScripts STACK = new StackScripts(VAR, NGINX, FIRST_REPLICA, 5,
            System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:16379"));
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK);

    private static Process run(String... command) throws IOException, InterruptedException {
        return STACK.run(command);
    }

    @Test
    void a_conversation_survives_the_sigkill_of_its_replica() throws Exception {
        String id = "e2e-" + UUID.randomUUID();
        String servedBy;
        try (WsClient c = WsClient.connect(WS, id)) {
            JsonNode first = c.send("hello, which port is this?").next();
            assertEquals("triage", first.path("agentName").asText());
            servedBy = first.path("replica").asText();
            assertTrue(first.path("data").asText().contains("The server port is " + servedBy), first.toString());

            c.send(Map.of("type", "message", "id", "m-2", "data", "I would like to talk to sales"));
            JsonNode handoff = c.next();
            assertEquals("agent", handoff.path("type").asText(), handoff.toString());
            assertEquals("sales", handoff.path("to").asText());
            JsonNode second = c.next();
            assertEquals("sales", second.path("agentName").asText());
            assertEquals(2, usersSeen(second));

            long pid = STACK.pid("replica-" + servedBy);
            ProcessHandle replica = ProcessHandle.of(pid).orElseThrow();
            assertTrue(replica.destroyForcibly(), "SIGKILL sent to replica " + servedBy);
            replica.onExit().get(10, TimeUnit.SECONDS);
            c.awaitClose(10);
        }
        try (WsClient again = WsClient.connect(WS, id)) {
            JsonNode third = again.send(Map.of("type", "message", "id", "m-3", "data", "are you still there?")).next();
            assertEquals("reply", third.path("type").asText(), third.toString());
            assertNotEquals(servedBy, third.path("replica").asText(), "another replica took over");
            assertEquals("sales", third.path("agentName").asText(), "the active agent came back from Redis");
            assertEquals(3, usersSeen(third), "the whole history came back from Redis");
            assertTrue(third.path("data").asText().contains("You are sales. The server port is " + third.path("replica").asText()));

            JsonNode history = again.send(Map.of("type", "history", "limit", 100)).next().path("messages");
            long users = 0;
            for (JsonNode m : history) {
                users += "user".equals(m.path("role").asText()) ? 1 : 0;
            }
            assertEquals(3, users, history.toString());
            JsonNode replay = again.send(Map.of("type", "message", "id", "m-2", "data", "I would like to talk to sales")).next();
            assertTrue(replay.path("replayed").asBoolean(), "a resend of an answered id is answered from Redis: " + replay);
        }
    }

    @Test
    void nginx_refuses_a_bad_client_id_with_the_replicas_reason() {
        Handshake.Answer r = Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=no%20spaces");
        assertEquals(400, r.status());
        assertTrue(r.reason().contains("clientId must be"), r.reason());
    }

    @Test
    void every_replica_is_ready_and_nginx_keeps_operational_endpoints_inside() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int port = FIRST_REPLICA; port < FIRST_REPLICA + 5; port++) {
            Replicas.restartIfDead(STACK, port); // the replica an earlier test killed comes back
        }
        for (String path : new String[]{"/q/health/ready", "/q/metrics", "/admin/backends"}) {
            HttpResponse<String> viaNginx = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NGINX + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, viaNginx.statusCode(), path + " is not served on the public port");
        }
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NGINX + "/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "the chat page is");
    }
}
