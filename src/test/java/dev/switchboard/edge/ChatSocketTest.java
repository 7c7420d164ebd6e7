package dev.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.sim.Fault;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static dev.switchboard.testing.WsClient.usersSeen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /chat endpoint driven as a client would, with a real Redis and the simulator as backends. */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class ChatSocketTest {

    @TestHTTPResource("/")
    URL root;

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }

    private static String client() {
        return "t-" + UUID.randomUUID();
    }

    @AfterEach
    void healBackends() {
        SimulatorResource.A.inject(Fault.NONE);
        SimulatorResource.B.inject(Fault.NONE);
    }

    @Test
    void plain_text_frames_get_replies_that_carry_the_whole_history() {
        try (WsClient c = WsClient.connect(ws(), client())) {
            for (int turn = 1; turn <= 3; turn++) {
                JsonNode reply = c.send("hello number " + turn).next();
                assertEquals("reply", reply.path("type").asText());
                assertEquals("triage", reply.path("agentName").asText());
                assertEquals("test", reply.path("replica").asText());
                assertEquals(turn, usersSeen(reply), "the model sees every earlier user message");
                assertTrue(reply.path("data").asText().contains("said=\"hello number " + turn + "\""));
                assertTrue(reply.path("data").asText().contains("You are triage on port"), "the system prompt template was rendered");
            }
        }
    }

    @Test
    void a_stream_broken_mid_answer_is_finished_by_the_other_backend_stored_once_and_marked_resumed() {
        SimulatorResource.A.inject(new Fault("cut", 5, 1)); // the next stream of sim-a drops after five tokens
        try (WsClient c = WsClient.connect(ws(), client())) {
            JsonNode reply = null;
            StringBuilder tokens = new StringBuilder();
            for (int turn = 1; turn <= 4 && (reply == null || reply.path("resumed").isMissingNode()); turn++) {
                tokens.setLength(0);
                c.send(Map.of("type", "message", "id", "cut-" + turn, "data", "a long answer please [[sim:long=40]]", "stream", true));
                for (JsonNode f = c.next(); ; f = c.next()) {
                    if ("token".equals(f.path("type").asText())) {
                        tokens.append(f.path("data").asText());
                    } else if ("reply".equals(f.path("type").asText())) {
                        reply = f;
                        break;
                    } else {
                        throw new AssertionError("unexpected frame " + f);
                    }
                }
            }
            assertEquals(1, reply.path("resumed").asInt(), "a turn reached sim-a and was resumed: " + reply);
            String text = reply.path("data").asText();
            assertEquals(text, tokens.toString().strip(), "no token twice: the pieces are the answer");
            JsonNode history = c.send(Map.of("type", "history", "limit", 20)).next().path("messages");
            JsonNode last = history.get(history.size() - 1);
            assertEquals(text, last.path("content").asText(), "stored once, whole");
            int assistants = 0;
            for (JsonNode m : history) {
                assistants += "assistant".equals(m.path("role").asText()) ? 1 : 0;
            }
            assertEquals(reply.path("id").asText().substring(4), String.valueOf(assistants), "one answer per turn");
        }
    }

    @Test
    void reset_forgets_history_and_agent_but_not_while_a_turn_runs() {
        try (WsClient c = WsClient.connect(ws(), client())) {
            c.send(Map.of("type", "message", "id", "r-1", "data", "Please put me through to sales"));
            assertEquals("sales", c.nextOfType("reply").path("agentName").asText());
            c.send(Map.of("type", "message", "id", "r-2", "data", "slow [[sim:delay=800]]"));
            org.awaitility.Awaitility.await("the slow turn reaches a backend (it holds its lease)")
                    .atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(5))
                    .until(() -> SimulatorResource.A.inflight() + SimulatorResource.B.inflight() > 0);
            JsonNode refused = c.send(Map.of("type", "reset")).next();
            assertEquals("busy", refused.path("code").asText(), refused.toString());
            assertEquals("r-2", c.nextOfType("reply").path("id").asText());

            assertEquals("reset", c.send(Map.of("type", "reset")).next().path("type").asText());
            assertEquals(0, c.send(Map.of("type", "history")).next().path("messages").size());
            JsonNode fresh = c.send(Map.of("type", "message", "id", "r-1", "data", "hello again")).next();
            assertEquals("triage", fresh.path("agentName").asText(), "back to the default agent");
            assertEquals(1, usersSeen(fresh), "nothing of before is sent to the model");
            assertTrue(fresh.path("replayed").isMissingNode(), "answered ids are forgotten too");
        }
    }

    @Test
    void a_handoff_is_announced_answered_by_the_new_agent_and_kept_for_the_next_socket() {
        String id = client();
        try (WsClient c = WsClient.connect(ws(), id)) {
            c.send(Map.of("type", "message", "id", "h-1", "data", "Please put me through to sales"));
            JsonNode agent = c.next();
            assertEquals("agent", agent.path("type").asText());
            assertEquals("triage", agent.path("from").asText());
            assertEquals("sales", agent.path("to").asText());
            JsonNode reply = c.next();
            assertEquals("sales", reply.path("agentName").asText());
            assertEquals("h-1", reply.path("id").asText());
            assertTrue(reply.path("data").asText().contains("You are sales."), reply.toString());
        }
        try (WsClient again = WsClient.connect(ws(), id)) {
            JsonNode reply = again.send("what do you sell?").next();
            assertEquals("sales", reply.path("agentName").asText(), "the active agent survived the reconnect");
            assertEquals(2, usersSeen(reply));
        }
    }

    @Test
    void a_resent_message_id_gets_the_stored_answer_not_a_second_turn() {
        try (WsClient c = WsClient.connect(ws(), client())) {
            JsonNode first = c.send(Map.of("type", "message", "id", "same-1", "data", "only once please")).next();
            JsonNode again = c.send(Map.of("type", "message", "id", "same-1", "data", "only once please")).next();
            assertEquals(first.path("data"), again.path("data"));
            assertTrue(again.path("replayed").asBoolean());
            JsonNode history = c.send(Map.of("type", "history", "limit", 50)).next();
            assertEquals(2, history.path("messages").size(), "one user message and one answer: " + history);
        }
    }

    @Test
    void bad_frames_get_clear_errors_and_leave_the_session_intact() {
        try (WsClient c = WsClient.connect(ws(), client())) {
            c.send("first real message").next();
            assertError(c.send("{oops").next(), "bad_frame");
            assertError(c.send("x".repeat(70_000)).next(), "too_large");
            assertError(c.send("é".repeat(40_000)).next(), "too_large"); // 80 KB in UTF-8, 40 K characters
            assertError(c.send(Map.of("type", "teleport")).next(), "unknown_type");
            assertError(c.send(Map.of("type", "message")).next(), "bad_frame");
            assertError(c.send(Map.of("type", "message", "id", "has spaces", "data", "x")).next(), "bad_frame");
            assertError(c.send(Map.of("type", "history", "limit", 0)).next(), "bad_frame");
            assertError(c.send("   ").next(), "bad_frame");
            JsonNode reply = c.send(Map.of("data", "second real message")).next();
            assertEquals("reply", reply.path("type").asText());
            assertEquals(2, usersSeen(reply), "none of the bad frames reached the history");
        }
    }

    @Test
    void a_missing_or_malformed_client_id_is_refused_with_400_and_a_reason() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String query : new String[]{"", "?clientId=", "?clientId=has%20space", "?clientId=" + "a".repeat(129), "?clientId=%7Bbrace%7D"}) {
            Handshake.Answer r = Handshake.upgrade(root.getHost(), root.getPort(), "/chat" + query);
            assertEquals(400, r.status(), query);
            assertTrue(r.reason().contains("clientId"), r.reason());
        }
        CompletionException e = assertThrows(CompletionException.class, () -> http.newWebSocketBuilder()
                .buildAsync(URI.create(ws() + "/chat?clientId=bad%20id"), new java.net.http.WebSocket.Listener() {
                }).join());
        assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(400, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void two_sockets_of_one_session_never_interleave_their_turns() {
        String id = client();
        try (WsClient a = WsClient.connect(ws(), id); WsClient b = WsClient.connect(ws(), id)) {
            CompletableFuture<JsonNode> ra = CompletableFuture.supplyAsync(
                    () -> a.send(Map.of("type", "message", "id", "a-1", "data", "from a [[sim:delay=400]]")).next());
            CompletableFuture<JsonNode> rb = CompletableFuture.supplyAsync(
                    () -> b.send(Map.of("type", "message", "id", "b-1", "data", "from b [[sim:delay=400]]")).next());
            JsonNode first = ra.join();
            JsonNode second = rb.join();
            assertEquals("reply", first.path("type").asText(), first.toString());
            assertEquals("reply", second.path("type").asText(), second.toString());
            assertNotEquals(usersSeen(first), usersSeen(second), "one turn ran after the other and saw it");
            JsonNode history = a.send(Map.of("type", "history")).next().path("messages");
            assertEquals(4, history.size());
            for (int i = 0; i < 4; i++) {
                assertEquals(i % 2 == 0 ? "user" : "assistant", history.get(i).path("role").asText(), history.toString());
            }
        }
    }

    @Test
    void a_failing_backend_is_retried_on_another_and_the_user_sees_no_error() {
        SimulatorResource.A.inject(Fault.error(500, -1));
        try (WsClient c = WsClient.connect(ws(), client())) {
            for (int i = 1; i <= 4; i++) {
                JsonNode reply = c.send("turn " + i).next();
                assertEquals("reply", reply.path("type").asText(), reply.toString());
                assertTrue(reply.path("data").asText().startsWith("(sim sim-b)"), reply.toString());
            }
        }
    }

    @Test
    void when_every_backend_fails_the_turn_errors_and_stores_nothing() {
        try (WsClient c = WsClient.connect(ws(), client())) {
            c.send("before the outage").next();
            SimulatorResource.A.inject(Fault.error(500, -1));
            SimulatorResource.B.inject(Fault.error(502, -1));
            JsonNode error = c.send(Map.of("type", "message", "id", "lost-1", "data", "during the outage")).next();
            assertError(error, "backend_unavailable");
            assertEquals("lost-1", error.path("id").asText());
            SimulatorResource.A.inject(Fault.NONE);
            SimulatorResource.B.inject(Fault.NONE);
            JsonNode history = c.send(Map.of("type", "history")).next().path("messages");
            assertEquals(2, history.size(), "no orphan user message: " + history);
        }
    }

    private static void assertError(JsonNode frame, String code) {
        assertEquals("error", frame.path("type").asText(), frame.toString());
        assertEquals(code, frame.path("code").asText(), frame.toString());
        assertTrue(frame.path("message").asText().length() > 5, "the error says what is wrong");
    }
}
