package dev.switchboard.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    public FrameCodec(ObjectMapper json, int maxFrameBytes, int maxHistoryLimit) {
        this.json = json;
        this.maxFrameBytes = maxFrameBytes;
        this.maxHistoryLimit = maxHistoryLimit;
    }

    public Inbound decode(String frame) {
        if (tooLarge(frame)) {
            return new Inbound.Invalid(null, "too_large", "frame larger than " + maxFrameBytes + " bytes");
        }
        String trimmed = frame.strip();
        if (trimmed.isEmpty()) {
            return new Inbound.Invalid(null, "bad_frame", "empty message");
        }
        if (trimmed.charAt(0) != '{') {
            return new Inbound.Message(null, frame, false);
        }
        JsonNode node;
        try {
            node = json.readTree(trimmed);
        } catch (JsonProcessingException e) {
            return new Inbound.Invalid(null, "bad_frame", "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Inbound.Invalid(null, "bad_frame", "a JSON frame must be an object");
        }
        JsonNode idNode = node.get("id");
        String id = idNode != null && idNode.isValueNode() && !idNode.isNull() ? idNode.asText() : null;
        if (id != null && !MESSAGE_ID.matcher(id).matches()) {
            return new Inbound.Invalid(null, "bad_frame", "id must be 1-64 characters of [A-Za-z0-9._:@-]");
        }
        JsonNode type = node.get("type");
        if (type == null) {
            return node.has("data") ? message(node, id)
                    : new Inbound.Invalid(id, "bad_frame", "a JSON frame needs a \"type\" or a \"data\" field");
        }
        if (!type.isTextual()) {
            return new Inbound.Invalid(id, "bad_frame", "\"type\" must be a string");
        }
        return switch (type.asText()) {
            case "message" -> message(node, id);
            case "cancel" -> id == null ? new Inbound.Invalid(null, "bad_frame", "cancel needs the \"id\" of the message")
                    : new Inbound.Cancel(id);
            case "history" -> history(node, id);
            default -> new Inbound.Invalid(id, "unknown_type", "unknown frame type '" + clip(type.asText())
                    + "' (message, cancel, history)");
        };
    }

    private Inbound message(JsonNode node, String id) {
        JsonNode data = node.get("data");
        if (data == null || !data.isTextual()) {
            return new Inbound.Invalid(id, "bad_frame", "a message needs \"data\" as a string");
        }
        if (data.asText().isBlank()) {
            return new Inbound.Invalid(id, "bad_frame", "empty message");
        }
        JsonNode stream = node.get("stream");
        if (stream != null && !stream.isBoolean()) {
            return new Inbound.Invalid(id, "bad_frame", "\"stream\" must be true or false");
        }
        return new Inbound.Message(id, data.asText(), stream != null && stream.asBoolean());
    }

    private Inbound history(JsonNode node, String id) {
        JsonNode limit = node.get("limit");
        if (limit == null) {
            return new Inbound.History(Math.min(50, maxHistoryLimit));
        }
        if (!limit.isIntegralNumber() || limit.asInt() < 1 || limit.asInt() > maxHistoryLimit) {
            return new Inbound.Invalid(id, "bad_frame", "\"limit\" must be a whole number from 1 to " + maxHistoryLimit);
        }
        return new Inbound.History(limit.asInt());
    }

    public String encode(Object frame) {
        try {
            return json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
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
