package dev.switchboard.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.sim.Fault;
import dev.switchboard.testing.OtlpReceiver;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A turn's trace as a collector receives it (OTLP http/protobuf, decoded with the
 * opentelemetry-proto classes): the turn span, its two scripts and its completion as children,
 * the GenAI attributes, a resumed stream's two tries, the traceparent the backend got, and the
 * trace id a failed turn's error frame carries.
 */
@QuarkusTest
@TestProfile(TurnTraceTest.Traced.class)
@QuarkusTestResource(value = OtlpReceiver.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(SimulatorResource.class)
class TurnTraceTest {

    public static class Traced implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:" + OtlpReceiver.PORT,
                    "quarkus.otel.exporter.otlp.protocol", "http/protobuf",
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @TestHTTPResource("/")
    URL root;

    private static String hex(com.google.protobuf.ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    private static String attr(Span s, String key) {
        for (KeyValue kv : s.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                var v = kv.getValue();
                return v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? String.valueOf(v.getIntValue())
                        : v.hasBoolValue() ? String.valueOf(v.getBoolValue()) : v.toString();
            }
        }
        return null;
    }

    private static List<Span> trace(String traceId) {
        return OtlpReceiver.SPANS.stream().filter(s -> hex(s.getTraceId()).equals(traceId)).toList();
    }

    private static Span named(List<Span> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.stream().map(Span::getName).toList()));
    }

    @Test
    void a_resumed_turn_is_one_trace_with_its_scripts_its_completion_and_both_tries() {
        String id = "traced-" + UUID.randomUUID();
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), id)) {
            JsonNode reply = null;
            // the Ollama simulator cuts its next stream after six tokens; the pool resumes on the other
            for (int i = 0; i < 10 && (reply == null || reply.path("resumed").asInt() == 0); i++) {
                SimulatorResource.A.inject(new Fault("cut", 6, 1));
                c.send(Map.of("type", "message", "id", "r" + i, "data", "a long one [[sim:long=30]]", "stream", true));
                reply = c.next();
                while ("token".equals(reply.path("type").asText())) {
                    reply = c.next();
                }
            }
            SimulatorResource.A.inject(new Fault("none", 0, -1));
            assertNotNull(reply);
            assertEquals(1, reply.path("resumed").asInt(), "one of ten turns went to the cut backend first: " + reply);
            String messageId = reply.path("id").asText();

            Span turn = Awaitility.await("the turn's span").atMost(Duration.ofSeconds(10)).until(
                    () -> OtlpReceiver.SPANS.stream().filter(s -> s.getName().equals("turn")
                            && messageId.equals(attr(s, "switchboard.message.id"))).findFirst().orElse(null), s -> s != null);
            String traceId = hex(turn.getTraceId());
            assertEquals("answered", attr(turn, "switchboard.outcome"));
            assertEquals(Tracing.hash(id), attr(turn, "switchboard.client.hash"), "a hash, never the clientId");
            List<String> leaks = OtlpReceiver.SPANS.stream().filter(s -> s.getAttributesList().stream()
                    .anyMatch(kv -> kv.getValue().getStringValue().contains(id))).map(s -> s.getName() + " " + s.getAttributesList()).toList();
            assertTrue(leaks.isEmpty(), "the clientId is in no span: " + leaks);

            List<Span> spans = Awaitility.await("its children").atMost(Duration.ofSeconds(10))
                    .until(() -> trace(traceId), l -> l.size() >= 4);
            String turnId = hex(turn.getSpanId());
            Span begin = named(spans, "EVALSHA begin_turn");
            Span commit = named(spans, "EVALSHA commit_turn");
            Span chat = named(spans, "chat chat");
            for (Span child : List.of(begin, commit, chat)) {
                assertEquals(turnId, hex(child.getParentSpanId()), child.getName() + " is a child of the turn");
            }
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, chat.getKind());
            assertEquals("chat", attr(chat, "gen_ai.operation.name"));
            assertEquals("chat", attr(chat, "gen_ai.request.model"));
            assertEquals("sim-model", attr(chat, "gen_ai.response.model"));
            assertNotNull(attr(chat, "server.address"));
            assertTrue(Long.parseLong(attr(chat, "gen_ai.usage.output_tokens")) > 0, chat.toString());
            List<String> events = chat.getEventsList().stream().map(Span.Event::getName).toList();
            assertEquals(2, events.stream().filter("try"::equals).count(), "the cut try and the resumed one: " + events);
            assertTrue(events.contains("resume") && events.contains("first_token"), events.toString());
            Span.Event resume = chat.getEventsList().stream().filter(e -> e.getName().equals("resume")).findFirst().orElseThrow();
            assertEquals("sim-a", resume.getAttributesList().stream().filter(kv -> kv.getKey().equals("from")).findFirst()
                    .orElseThrow().getValue().getStringValue());
            assertTrue(begin.getStartTimeUnixNano() < chat.getStartTimeUnixNano()
                    && chat.getEndTimeUnixNano() <= commit.getStartTimeUnixNano(), "begin, completion, commit in order");

            String sent = SimulatorResource.B.lastTraceparent();
            assertEquals("00-" + traceId + "-" + hex(chat.getSpanId()) + "-01", sent, "the backend joins the turn's trace");
        }
    }

    @Test
    void a_failed_turns_error_frame_carries_its_trace_id() {
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), "traced-" + UUID.randomUUID())) {
            JsonNode error = c.send(Map.of("type", "message", "id", "bad", "data", "refuse this [[sim:status=400]]")).nextOfType("error");
            assertEquals("bad_request", error.path("code").asText(), error.toString());
            String traceId = error.path("traceId").asText();
            assertEquals(32, traceId.length(), error.toString());
            Span turn = Awaitility.await("the failed turn's span").atMost(Duration.ofSeconds(10))
                    .until(() -> trace(traceId).stream().filter(s -> s.getName().equals("turn")).findFirst().orElse(null), s -> s != null);
            assertEquals("bad_request", attr(turn, "switchboard.outcome"));
            assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, turn.getStatus().getCode());
            assertEquals("bad_request", attr(named(trace(traceId), "chat chat"), "error.type"));
        }
    }

    @Test
    void a_clients_traceparent_makes_the_turn_a_child_of_the_clients_trace() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentSpan = "00f067aa0ba902b7";
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), "traced-" + UUID.randomUUID())) {
            JsonNode reply = c.send(Map.of("type", "message", "id", "tp", "data", "hello",
                    "traceparent", "00-" + traceId + "-" + parentSpan + "-01")).nextOfType("reply");
            assertEquals("reply", reply.path("type").asText());
            Span turn = Awaitility.await("the turn under the client's trace").atMost(Duration.ofSeconds(10))
                    .until(() -> trace(traceId).stream().filter(s -> s.getName().equals("turn")).findFirst().orElse(null), s -> s != null);
            assertEquals(parentSpan, hex(turn.getParentSpanId()));
            JsonNode bad = c.send(Map.of("type", "message", "id", "tp2", "data", "again",
                    "traceparent", "00-" + "0".repeat(32) + "-" + parentSpan + "-01")).nextOfType("reply");
            assertEquals("reply", bad.path("type").asText(), "an invalid traceparent is ignored, not refused");
        }
    }
}
