package dev.switchboard.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The swarm in depth through the socket, driven by scripted simulator directives: tools with good
 * and bad arguments, memory, navigation with a loop attempt and the ways back, rescue of bad
 * output, streaming, cancel and history.
 */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class SwarmSocketTest {

    @TestHTTPResource("/")
    URL root;

    private WsClient connect() {
        return WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), "swarm-" + UUID.randomUUID());
    }

    private static JsonNode msg(WsClient c, String id, String text) {
        return c.send(Map.of("type", "message", "id", id, "data", text)).nextOfType("reply");
    }

    private static List<JsonNode> history(WsClient c) {
        List<JsonNode> out = new ArrayList<>();
        c.send(Map.of("type", "history", "limit", 100)).nextOfType("history").path("messages").forEach(out::add);
        return out;
    }

    @Test
    void a_tool_runs_and_its_result_goes_back_to_the_model() {
        try (WsClient c = connect()) {
            JsonNode r = msg(c, "t1", "what is it? [[sim:tool=calculator {\"expression\":\"2 * (3 + 4.5)\"}]]");
            assertEquals("triage", r.path("agentName").asText());
            assertTrue(r.path("data").asText().contains("tool=\"15\""), r.toString());
            List<JsonNode> h = history(c);
            JsonNode tool = h.stream().filter(m -> "tool".equals(m.path("role").asText())).findFirst().orElseThrow();
            assertEquals("calculator", tool.path("tool").asText());
            assertEquals("15", tool.path("content").asText());
        }
    }

    @Test
    void bad_arguments_and_unknown_tools_are_tool_errors_not_failed_turns() {
        try (WsClient c = connect()) {
            JsonNode bad = msg(c, "b1", "[[sim:tool=calculator {\"expr\":\"1+1\"}]]");
            assertTrue(bad.path("data").asText().contains("Error: invalid arguments for calculator: arguments.expression is required"), bad.toString());
            JsonNode unknown = msg(c, "b2", "[[sim:tool=launch_rockets {}]]");
            assertTrue(unknown.path("data").asText().contains("Error: there is no tool named 'launch_rockets'"), unknown.toString());
            JsonNode failing = msg(c, "b3", "[[sim:tool=calculator {\"expression\":\"1/0\"}]]");
            assertTrue(failing.path("data").asText().contains("Error: division by zero"), failing.toString());
            JsonNode zone = msg(c, "b4", "[[sim:tool=current_time {\"zone\":\"Mars/Olympus\"}]]");
            assertTrue(zone.path("data").asText().contains("unknown time zone"), zone.toString());
        }
    }

    @Test
    void memory_written_by_a_tool_reaches_the_next_prompt_and_other_replicas() {
        try (WsClient c = connect()) {
            msg(c, "m1", "[[sim:tool=remember {\"key\":\"name\",\"value\":\"Ada\"}]]");
            JsonNode next = msg(c, "m2", "who am I?");
            assertTrue(next.path("data").asText().contains("Memory name=<user-data>Ada</user-data>."), next.toString());
            JsonNode recalled = msg(c, "m3", "[[sim:tool=recall {\"key\":\"name\"}]]");
            assertTrue(recalled.path("data").asText().contains("tool=\"Ada\""), recalled.toString());
        }
    }

    @Test
    void a_handoff_loop_is_refused_and_the_ways_back_work() {
        try (WsClient c = connect()) {
            c.send(Map.of("type", "message", "id", "n1", "data", "sales please, or triage again"));
            JsonNode agent = c.nextOfType("agent");
            assertEquals("sales", agent.path("to").asText());
            JsonNode r = c.nextOfType("reply");
            assertEquals("sales", r.path("agentName").asText());
            assertTrue(r.path("data").asText().contains("Handoff refused: triage already handled this message"), r.toString());

            c.send(Map.of("type", "message", "id", "n2", "data", "I have a problem: support"));
            assertEquals("support", c.nextOfType("agent").path("to").asText());
            assertEquals("support", c.nextOfType("reply").path("agentName").asText());

            c.send(Map.of("type", "message", "id", "n3", "data", "[[sim:tool=back_to_previous_agent]] [[sim:only=support]]"));
            JsonNode back = c.nextOfType("agent");
            assertEquals("support", back.path("from").asText());
            assertEquals("sales", back.path("to").asText());
            assertEquals("sales", c.nextOfType("reply").path("agentName").asText());

            c.send(Map.of("type", "message", "id", "n4", "data", "[[sim:tool=back_to_default_agent]] [[sim:only=sales]]"));
            assertEquals("triage", c.nextOfType("agent").path("to").asText());
            assertEquals("triage", c.nextOfType("reply").path("agentName").asText());

            JsonNode home = msg(c, "n5", "[[sim:tool=back_to_previous_agent]]");
            assertTrue(home.path("data").asText().contains("Error: there is no tool named 'back_to_previous_agent'")
                    || home.path("data").asText().contains("no previous agent"), home.toString());
        }
    }

    @Test
    void a_model_that_never_stops_calling_tools_is_bounded_and_stores_nothing() {
        try (WsClient c = connect()) {
            msg(c, "s0", "sales");
            c.send(Map.of("type", "message", "id", "s1", "data", "[[sim:loop=catalogue_search {\"query\":\"mouse\"}]]"));
            JsonNode err = c.nextOfType("error");
            assertEquals("agent_loop", err.path("code").asText(), err.toString());
            List<JsonNode> h = history(c);
            assertFalse(h.toString().contains("catalogue_search"), "the looping turn left nothing: " + h);
        }
    }

    @Test
    void empty_and_fragment_answers_are_recompleted() {
        try (WsClient c = connect()) {
            JsonNode empty = msg(c, "r1", "say nothing [[sim:empty]]");
            assertTrue(empty.path("data").asText().startsWith("(sim "), empty.toString());
            JsonNode fragment = msg(c, "r2", "garble [[sim:fragment]]");
            assertTrue(fragment.path("data").asText().startsWith("(sim "), fragment.toString());
            assertFalse(fragment.path("data").asText().contains("transfer_to_\"") || fragment.path("data").asText().startsWith("{"));
        }
    }

    @Test
    void output_that_stays_bad_fails_the_turn_and_stores_nothing() {
        try (WsClient c = connect()) {
            msg(c, "ok", "first");
            c.send(Map.of("type", "message", "id", "bad", "data", "nothing ever [[sim:empty=always]]"));
            JsonNode err = c.nextOfType("error");
            assertEquals("bad_output", err.path("code").asText());
            assertEquals("bad", err.path("id").asText());
            List<JsonNode> h = history(c);
            assertEquals(2, h.size(), "only the first turn is stored: " + h);
            assertFalse(h.toString().contains("nothing ever"), "no orphan user message");
        }
    }

    @Test
    void a_streamed_turn_sends_tokens_in_order_then_the_whole_reply() {
        try (WsClient c = connect()) {
            c.send(Map.of("type", "message", "id", "st", "data", "stream this answer to me", "stream", true));
            StringBuilder tokens = new StringBuilder();
            int count = 0;
            JsonNode f;
            while (!"reply".equals((f = c.next()).path("type").asText())) {
                assertEquals("token", f.path("type").asText(), f.toString());
                assertEquals("st", f.path("id").asText());
                tokens.append(f.path("data").asText());
                count++;
            }
            assertTrue(count > 3, "several token frames: " + count);
            assertEquals(f.path("data").asText(), tokens.toString(), "the tokens add up to the reply");
        }
    }

    @Test
    void cancel_stops_a_turn_and_nothing_half_written_stays() {
        try (WsClient c = connect()) {
            msg(c, "c0", "before");
            c.send(Map.of("type", "message", "id", "c1", "data", "take your time [[sim:delay=3000]]", "stream", true));
            c.send(Map.of("type", "cancel", "id", "c1"));
            JsonNode f = c.nextOfType("cancelled");
            assertEquals("c1", f.path("id").asText());
            JsonNode after = msg(c, "c2", "after");
            assertTrue(after.path("data").asText().contains("users=2"), "the cancelled message is not in history: " + after);
            List<JsonNode> h = history(c);
            assertEquals(4, h.size(), h.toString());
            c.send(Map.of("type", "message", "id", "c3", "data", "not streamed [[sim:delay=3000]]"));
            c.send(Map.of("type", "cancel", "id", "c3"));
            long t0 = System.nanoTime();
            assertEquals("c3", c.nextOfType("cancelled").path("id").asText(), "a blocking call is cancelled too");
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "without waiting for the backend");
            JsonNode unknown = c.send(Map.of("type", "cancel", "id", "nope")).nextOfType("error");
            assertEquals("not_running", unknown.path("code").asText());
        }
    }

    @Test
    void a_client_that_does_not_read_its_tokens_is_closed_and_the_turn_is_still_stored() throws Exception {
        String clientId = "slow-" + UUID.randomUUID();
        try (Socket raw = new Socket()) {
            raw.setReceiveBufferSize(4096); // a client that reads nothing: the window closes fast
            raw.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5000);
            OutputStream out = raw.getOutputStream();
            out.write(("GET /chat?clientId=" + clientId + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = raw.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            out.write(maskedTextFrame("{\"type\":\"message\",\"id\":\"slow\",\"stream\":true,"
                    + "\"data\":\"tell me everything [[sim:long=250000]]\"}"));
            out.flush();

            // The turn completes and is stored although its client reads nothing.
            JsonNode[] stored = {null};
            try (WsClient other = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), clientId)) {
                org.awaitility.Awaitility.await("the turn is stored").atMost(java.time.Duration.ofSeconds(60))
                        .pollInterval(java.time.Duration.ofMillis(250)).until(() -> {
                            List<JsonNode> h = new ArrayList<>();
                            other.send(Map.of("type", "history", "limit", 10)).nextOfType("history").path("messages").forEach(h::add);
                            stored[0] = h.size() == 2 ? h.get(1) : null;
                            return stored[0] != null;
                        });
            }
            assertTrue(stored[0].path("content").asText().length() > 1_000_000, "the whole answer was stored");

            // Reading now: some token frames, then the replica's close frame with its reason.
            // (Not until EOF: the replica may wait for a close reply this raw client never sends.)
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            raw.setSoTimeout(15_000);
            byte[] chunk = new byte[64 * 1024];
            String tail = "";
            int n;
            while (!tail.contains("client too slow") && (n = in.read(chunk)) > 0) {
                all.write(chunk, 0, n);
                tail = new String(all.toByteArray(), Math.max(0, all.size() - 300), Math.min(300, all.size()), StandardCharsets.ISO_8859_1);
            }
            assertTrue(tail.contains("client too slow"), tail);
            assertTrue(all.size() < 12 * 1024 * 1024, "far less than the whole answer was buffered for it: " + all.size());
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length & 0xff);
        }
        byte[] mask = {1, 2, 3, 4};
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }
}
