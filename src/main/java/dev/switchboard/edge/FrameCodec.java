package dev.switchboard.edge;

import dev.switchboard.errors.ErrorCode;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Client frames to {@link Inbound} and server frames to JSON text. A frame whose first
 * non-blank character is {@code {} is a JSON command; anything else is a plain-text message, as
 * the agent-swarm-kit demo's clients send.
 */
public final class FrameCodec {
    /** Message ids become Redis hash field names: keep them short and plain. */
    static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

    private final ObjectMapper json;
    private final int maxFrameBytes;
    private final int maxHistoryLimit;
    private final int maxMessageChars;

    public FrameCodec(ObjectMapper json, int maxFrameBytes, int maxHistoryLimit, int maxMessageChars) {
        this.json = json;
        this.maxFrameBytes = maxFrameBytes;
        this.maxHistoryLimit = maxHistoryLimit;
        this.maxMessageChars = maxMessageChars;
    }

    public Inbound decode(String frame) {
        if (tooLarge(frame)) {
            return new Inbound.Invalid(null, ErrorCode.TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes");
        }
        String trimmed = frame.strip();
        if (trimmed.isEmpty()) {
            return new Inbound.Invalid(null, ErrorCode.BAD_FRAME, "empty message");
        }
        if (trimmed.charAt(0) != '{') {
            return frame.length() > maxMessageChars ? tooLong(null) : new Inbound.Message(null, frame, false);
        }
        JsonNode node;
        try {
            node = json.readTree(trimmed);
        } catch (JsonProcessingException e) {
            return new Inbound.Invalid(null, ErrorCode.BAD_FRAME, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Inbound.Invalid(null, ErrorCode.BAD_FRAME, "a JSON frame must be an object");
        }
        JsonNode idNode = node.get("id");
        String id = idNode != null && idNode.isValueNode() && !idNode.isNull() ? idNode.asText() : null;
        if (id != null && !MESSAGE_ID.matcher(id).matches()) {
            return new Inbound.Invalid(null, ErrorCode.BAD_FRAME, "id must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        JsonNode type = node.get("type");
        if (type == null) {
            return node.has("data") ? message(node, id)
                    : new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "a JSON frame needs a \"type\" or a \"data\" field");
        }
        if (!type.isTextual()) {
            return new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "\"type\" must be a string");
        }
        return switch (type.asText()) {
            case "message" -> message(node, id);
            case "cancel" -> id == null ? new Inbound.Invalid(null, ErrorCode.BAD_FRAME, "cancel needs the \"id\" of the message")
                    : new Inbound.Cancel(id);
            case "history" -> history(node, id);
            case "reset" -> new Inbound.Reset();
            case "usage" -> new Inbound.Usage();
            default -> new Inbound.Invalid(id, ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(type.asText())
                    + "' (message, cancel, history, reset)");
        };
    }

    private Inbound tooLong(String id) {
        return new Inbound.Invalid(id, ErrorCode.TOO_LARGE, "message longer than " + maxMessageChars + " characters");
    }

    private Inbound message(JsonNode node, String id) {
        JsonNode data = node.get("data");
        if (data == null || !data.isTextual()) {
            return new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "a message needs \"data\" as a string");
        }
        if (data.asText().isBlank()) {
            return new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "empty message");
        }
        if (data.asText().length() > maxMessageChars) {
            return tooLong(id);
        }
        JsonNode stream = node.get("stream");
        if (stream != null && !stream.isBoolean()) {
            return new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "\"stream\" must be true or false");
        }
        JsonNode traceparent = node.get("traceparent");
        // W3C trace context: an invalid one is ignored (the turn starts its own trace), as the spec asks
        String parent = traceparent != null && traceparent.isTextual() && TRACEPARENT.matcher(traceparent.asText()).matches()
                ? traceparent.asText() : null;
        return new Inbound.Message(id, data.asText(), stream != null && stream.asBoolean(), parent);
    }

    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

    private Inbound history(JsonNode node, String id) {
        JsonNode limit = node.get("limit");
        if (limit == null) {
            return new Inbound.History(Math.min(50, maxHistoryLimit));
        }
        if (!limit.isIntegralNumber() || limit.asInt() < 1 || limit.asInt() > maxHistoryLimit) {
            return new Inbound.Invalid(id, ErrorCode.BAD_FRAME, "\"limit\" must be a whole number from 1 to " + maxHistoryLimit);
        }
        return new Inbound.History(limit.asInt());
    }

    /**
     * The frames of every turn (reply, token, agent, error, cancelled) are written field by field
     * with a {@link JsonGenerator}; the rare history frame goes through the object mapper. Same
     * JSON either way (FrameCodecTest compares them): no reflection on the hot path.
     */
    public String encode(Object frame) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            switch (frame) {
                case Outbound.Reply r -> {
                    g.writeStartObject();
                    g.writeStringField("type", r.type());
                    field(g, "id", r.id());
                    g.writeStringField("data", r.data());
                    g.writeStringField("agentName", r.agentName());
                    field(g, "replica", r.replica());
                    if (r.replayed() != null) {
                        g.writeBooleanField("replayed", r.replayed());
                    }
                    if (r.resumed() != null) {
                        g.writeNumberField("resumed", r.resumed());
                    }
                    if (r.usage() != null) {
                        g.writeObjectFieldStart("usage");
                        g.writeNumberField("input", r.usage().input());
                        g.writeNumberField("output", r.usage().output());
                        if (r.usage().estimated() != null) {
                            g.writeBooleanField("estimated", r.usage().estimated());
                        }
                        g.writeEndObject();
                    }
                    if (r.budget() != null) {
                        g.writeObjectFieldStart("budget");
                        g.writeNumberField("left", r.budget().left());
                        g.writeNumberField("resetIn", r.budget().resetIn());
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                }
                case Outbound.Token t -> {
                    g.writeStartObject();
                    g.writeStringField("type", t.type());
                    g.writeStringField("id", t.id());
                    g.writeStringField("data", t.data());
                    g.writeEndObject();
                }
                case Outbound.Agent a -> {
                    g.writeStartObject();
                    g.writeStringField("type", a.type());
                    field(g, "id", a.id());
                    field(g, "from", a.from());
                    field(g, "to", a.to());
                    g.writeEndObject();
                }
                case Outbound.Error e -> {
                    g.writeStartObject();
                    g.writeStringField("type", e.type());
                    field(g, "id", e.id());
                    field(g, "code", e.code());
                    field(g, "message", e.message());
                    if (e.retryAfter() != null) {
                        g.writeNumberField("retryAfter", e.retryAfter());
                    }
                    field(g, "traceId", e.traceId());
                    g.writeEndObject();
                }
                case Outbound.Cancelled c -> {
                    g.writeStartObject();
                    g.writeStringField("type", c.type());
                    field(g, "id", c.id());
                    g.writeEndObject();
                }
                default -> json.writeValue(g, frame);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
        return out.toString();
    }

    /** Leaves a null field out, as {@code @JsonInclude(NON_NULL)} does on the records. */
    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private boolean tooLarge(String frame) {
        // UTF-8 needs at most 3 bytes per UTF-16 unit: count exactly only when it could matter.
        if (frame.length() <= maxFrameBytes / 3) {
            return false;
        }
        return frame.length() > maxFrameBytes || frame.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes;
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
