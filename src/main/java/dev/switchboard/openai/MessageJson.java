package dev.switchboard.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;

import java.io.IOException;
import java.util.List;

/**
 * One entry of a request's {@code messages}, both ways: system, user, assistant (with tool calls)
 * and tool results, the roles an agent turn uses. Written with a generator (the client's hot
 * path), read from a tree (the gateway's callers).
 */
public final class MessageJson {
    private MessageJson() {
    }

    /** A message the caller sent that cannot be read: says where and what is wrong. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    public static void write(JsonGenerator g, ChatMessage m) throws IOException {
        g.writeStartObject();
        switch (m) {
            case SystemMessage s -> {
                g.writeStringField("role", "system");
                g.writeStringField("content", s.text());
            }
            case UserMessage u -> {
                g.writeStringField("role", "user");
                g.writeStringField("content", u.singleText());
            }
            case AiMessage a -> {
                g.writeStringField("role", "assistant");
                if (a.text() != null) {
                    g.writeStringField("content", a.text()); // left out with tool calls only, as LangChain4j does
                }
                if (a.hasToolExecutionRequests()) {
                    g.writeArrayFieldStart("tool_calls");
                    for (ToolExecutionRequest r : a.toolExecutionRequests()) {
                        g.writeStartObject();
                        g.writeStringField("id", r.id());
                        g.writeStringField("type", "function");
                        g.writeObjectFieldStart("function");
                        g.writeStringField("name", r.name());
                        g.writeStringField("arguments", r.arguments());
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            case ToolExecutionResultMessage t -> {
                g.writeStringField("role", "tool");
                g.writeStringField("tool_call_id", t.id());
                g.writeStringField("content", t.text());
            }
            default -> throw new IllegalArgumentException("not a message MessageJson writes: " + m.type());
        }
        g.writeEndObject();
    }

    /** @param at where the message is, for the error ({@code messages[3]}) */
    public static ChatMessage read(JsonNode m, String at) {
        String role = m.path("role").asText("");
        String content = text(m.get("content"));
        return switch (role) {
            case "system", "developer" -> SystemMessage.from(require(content, at));
            case "user" -> UserMessage.from(require(content, at));
            case "assistant" -> {
                List<ToolExecutionRequest> calls = CompletionJson.readToolCalls(m.get("tool_calls"), "{}");
                if (calls.isEmpty()) {
                    yield AiMessage.from(content == null ? "" : content);
                }
                yield content == null || content.isEmpty() ? AiMessage.from(calls) : AiMessage.from(content, calls);
            }
            case "tool" -> ToolExecutionResultMessage.from(m.path("tool_call_id").asText(""),
                    m.path("name").asText(""), content == null ? "" : content);
            default -> throw new Invalid(at + ".role must be system, user, assistant or tool");
        };
    }

    /** A content string, or the text parts of an array of content parts joined; null for anything else. */
    public static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            content.forEach(p -> {
                if ("text".equals(p.path("type").asText())) {
                    sb.append(p.path("text").asText());
                }
            });
            return sb.toString();
        }
        return null;
    }

    private static String require(String content, String at) {
        if (content == null) {
            throw new Invalid(at + ".content must be a string or an array of text parts");
        }
        return content;
    }
}
