package dev.switchboard.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer side of {@code /v1/chat/completions}: a {@code chat.completion}, the
 * {@code chat.completion.chunk}s of a stream (first, content, last with the finish reason, the
 * usage chunk {@code stream_options.include_usage} asks for) and the error object; and the
 * readers of the parts a client needs back (tool calls, usage).
 */
public final class CompletionJson {

    /** What every object of one answer repeats: its id, the model named to the caller, when. */
    public record Head(String id, String model, long created) {
    }

    private final ObjectMapper json;

    public CompletionJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode completion(Head head, AiMessage ai, String finishReason, TokenUsage usage) {
        ObjectNode root = head(head, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (ai.text() != null) {
            message.put("content", ai.text());
        } else {
            message.putNull("content");
        }
        if (ai.hasToolExecutionRequests()) {
            message.set("tool_calls", toolCalls(ai.toolExecutionRequests(), false));
        }
        message.putNull("refusal");
        choice.putNull("logprobs").put("finish_reason", finishReason);
        usage(root, usage);
        return root;
    }

    /** A chunk with an empty delta; fill it through {@link #delta}. */
    public ObjectNode chunk(Head head) {
        ObjectNode c = head(head, "chat.completion.chunk");
        c.putArray("choices").addObject().put("index", 0).putObject("delta");
        ((ObjectNode) c.get("choices").get(0)).putNull("logprobs").putNull("finish_reason");
        return c;
    }

    public static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.get("choices").get(0).get("delta");
    }

    /** The stream's first chunk: the role, and an empty content when text follows. */
    public ObjectNode firstChunk(Head head, boolean textFollows) {
        ObjectNode c = chunk(head);
        ObjectNode d = delta(c).put("role", "assistant");
        if (textFollows) {
            d.put("content", "");
        }
        return c;
    }

    public ObjectNode contentChunk(Head head, String text) {
        ObjectNode c = chunk(head);
        delta(c).put("content", text);
        return c;
    }

    /** The chunk that ends the choice: the tool calls whole (when any) and the finish reason. */
    public ObjectNode lastChunk(Head head, List<ToolExecutionRequest> calls, String finishReason) {
        ObjectNode c = chunk(head);
        if (!calls.isEmpty()) {
            delta(c).set("tool_calls", toolCalls(calls, true));
        }
        ((ObjectNode) c.get("choices").get(0)).put("finish_reason", finishReason);
        return c;
    }

    /** The extra chunk {@code stream_options.include_usage} asks for: no choices, the usage. */
    public ObjectNode usageChunk(Head head, TokenUsage usage) {
        ObjectNode root = head(head, "chat.completion.chunk");
        root.putArray("choices");
        usage(root, usage);
        return root;
    }

    public ObjectNode error(String message, String type, String code) {
        ObjectNode root = json.createObjectNode();
        root.putObject("error").put("message", message).put("type", type).put("code", code).putNull("param");
        return root;
    }

    /** {@code tool_calls} as a message holds them, or {@code indexed} as a stream's delta does. */
    public ArrayNode toolCalls(List<ToolExecutionRequest> calls, boolean indexed) {
        ArrayNode out = json.createArrayNode();
        int i = 0;
        for (ToolExecutionRequest t : calls) {
            ObjectNode c = out.addObject();
            if (indexed) {
                c.put("index", i);
            }
            c.put("id", t.id() == null || t.id().isEmpty() ? "call_" + i : t.id()).put("type", "function");
            c.putObject("function").put("name", t.name()).put("arguments", t.arguments());
            i++;
        }
        return out;
    }

    /** OpenAI's name for why a completion ended. */
    public static String finishReason(AiMessage ai, FinishReason reason) {
        if (ai.hasToolExecutionRequests()) {
            return "tool_calls";
        }
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }

    /** The {@code tool_calls} of a message, as LangChain4j's requests; empty when there are none. */
    public static List<ToolExecutionRequest> readToolCalls(JsonNode toolCalls, String argumentsWhenMissing) {
        List<ToolExecutionRequest> out = new ArrayList<>();
        if (toolCalls == null) {
            return out;
        }
        for (JsonNode c : toolCalls) {
            JsonNode f = c.path("function");
            out.add(ToolExecutionRequest.builder().id(c.path("id").asText(null)).name(f.path("name").asText(null))
                    .arguments(f.path("arguments").asText(argumentsWhenMissing)).build());
        }
        return out;
    }

    /** An answer's {@code usage}, or null when it has none. */
    public static TokenUsage readUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        return new TokenUsage(usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt(),
                usage.path("total_tokens").asInt());
    }

    private ObjectNode head(Head head, String object) {
        return json.createObjectNode().put("id", head.id()).put("object", object).put("created", head.created())
                .put("model", head.model());
    }

    /** Leaves {@code usage} out when null: a server that counts nothing says nothing. */
    private static void usage(ObjectNode root, TokenUsage u) {
        if (u == null) {
            return;
        }
        int in = u == null || u.inputTokenCount() == null ? 0 : u.inputTokenCount();
        int out = u == null || u.outputTokenCount() == null ? 0 : u.outputTokenCount();
        root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
    }
}
