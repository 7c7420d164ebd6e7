package dev.switchboard.session;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One history entry to and from its JSON, by hand: every turn reads its window (up to
 * {@code keep-messages} entries) and writes its new messages, and the record mapper's reflection
 * was a visible part of a turn's CPU. The JSON is exactly what the mapper writes for
 * {@link HistoryMessage} ({@code NON_EMPTY}: empty and null fields left out), so entries stored by
 * either read the same ({@code HistoryJsonTest}); unknown fields are skipped.
 */
final class HistoryJson {
    private final JsonFactory factory;

    HistoryJson(JsonFactory factory) {
        this.factory = factory;
    }

    String write(HistoryMessage m) {
        StringWriter out = new StringWriter(128 + (m.content() == null ? 0 : m.content().length()));
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            field(g, "id", m.id());
            field(g, "role", m.role());
            field(g, "agent", m.agent());
            field(g, "content", m.content());
            g.writeNumberField("ts", m.ts()); // NON_EMPTY keeps a primitive 0
            if (m.hasToolCalls()) {
                g.writeArrayFieldStart("toolCalls");
                for (HistoryMessage.ToolCall c : m.toolCalls()) {
                    g.writeStartObject();
                    // ToolCall has no NON_EMPTY of its own: the mapper writes its nulls
                    g.writeStringField("id", c.id());
                    g.writeStringField("name", c.name());
                    g.writeStringField("arguments", c.arguments());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            field(g, "toolCallId", m.toolCallId());
            field(g, "toolName", m.toolName());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    HistoryMessage read(byte[] json) throws IOException {
        String id = null, role = null, agent = null, content = null, toolCallId = null, toolName = null;
        long ts = 0;
        List<HistoryMessage.ToolCall> calls = List.of();
        try (JsonParser p = factory.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id" -> id = text(p);
                    case "role" -> role = text(p);
                    case "agent" -> agent = text(p);
                    case "content" -> content = text(p);
                    case "ts" -> ts = value == JsonToken.VALUE_NULL ? 0 : p.getValueAsLong();
                    case "toolCallId" -> toolCallId = text(p);
                    case "toolName" -> toolName = text(p);
                    case "toolCalls" -> calls = calls(p);
                    default -> p.skipChildren();
                }
            }
        }
        return new HistoryMessage(id, role, agent, content, ts, calls, toolCallId, toolName);
    }

    private static List<HistoryMessage.ToolCall> calls(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        expect(p.currentToken(), JsonToken.START_ARRAY);
        List<HistoryMessage.ToolCall> out = new ArrayList<>(2);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String id = null, name = null, arguments = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> id = text(p);
                    case "name" -> name = text(p);
                    case "arguments" -> arguments = text(p);
                    default -> p.skipChildren();
                }
            }
            out.add(new HistoryMessage.ToolCall(id, name, arguments));
        }
        return out;
    }

    private static String text(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsString();
    }

    private static void expect(JsonToken actual, JsonToken wanted) throws IOException {
        if (actual != wanted) {
            throw new IOException("expected " + wanted + ", found " + actual);
        }
    }
}
