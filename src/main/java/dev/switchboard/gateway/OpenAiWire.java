package dev.switchboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.llm.JsonSchemas;

import java.util.ArrayList;
import java.util.List;

/** The OpenAI chat-completions wire format, in and out, for the gateway. */
final class OpenAiWire {

    /** A parsed request: the model alias, whether to stream, the LangChain4j request, the affinity key. */
    record Request(String alias, boolean stream, boolean includeUsage, ChatRequest chat, String user) {
    }

    /** A request the gateway cannot take: HTTP 400 with this message. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    private final ObjectMapper json;
    private final int maxTokens;
    private final int maxMessages;

    /** @param maxTokens the most output tokens a caller may ask for (and what it gets when it asks for none) */
    OpenAiWire(ObjectMapper json, int maxTokens, int maxMessages) {
        this.json = json;
        this.maxTokens = maxTokens;
        this.maxMessages = maxMessages;
    }

    Request parse(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (Exception e) {
            throw new Invalid("the body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("the body must be a JSON object");
        }
        String model = root.path("model").asText("");
        if (model.isBlank()) {
            throw new Invalid("'model' is required");
        }
        JsonNode messages = root.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw new Invalid("'messages' must be a non-empty array");
        }
        if (messages.size() > maxMessages) {
            throw new Invalid("'messages' may hold at most " + maxMessages + " messages");
        }
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        for (JsonNode m : messages) {
            out.add(message(m, "messages[" + i++ + "]"));
        }
        ChatRequest.Builder b = ChatRequest.builder().messages(out);
        if (root.path("temperature").isNumber()) {
            b.temperature(root.get("temperature").asDouble());
        }
        if (root.path("top_p").isNumber()) {
            b.topP(root.get("top_p").asDouble());
        }
        JsonNode max = root.has("max_completion_tokens") ? root.get("max_completion_tokens") : root.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > maxTokens) {
                throw new Invalid("'max_tokens' must be a whole number from 1 to " + maxTokens);
            }
            b.maxOutputTokens(max.asInt());
        } else {
            b.maxOutputTokens(maxTokens); // unbounded output is not on offer
        }
        JsonNode stop = root.get("stop");
        if (stop != null && stop.isTextual()) {
            b.stopSequences(List.of(stop.asText()));
        } else if (stop != null && stop.isArray()) {
            List<String> s = new ArrayList<>();
            stop.forEach(x -> s.add(x.asText()));
            b.stopSequences(s);
        }
        JsonNode tools = root.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            List<ToolSpecification> specs = new ArrayList<>();
            for (JsonNode t : tools) {
                JsonNode f = t.path("function");
                if (!f.path("name").isTextual()) {
                    throw new Invalid("every tool needs function.name");
                }
                ToolSpecification.Builder ts = ToolSpecification.builder().name(f.get("name").asText())
                        .parameters(JsonSchemas.object(f.get("parameters")));
                if (f.path("description").isTextual()) {
                    ts.description(f.get("description").asText());
                }
                specs.add(ts.build());
            }
            b.toolSpecifications(specs);
        }
        return new Request(model, root.path("stream").asBoolean(false),
                root.path("stream_options").path("include_usage").asBoolean(false), b.build(),
                root.path("user").isTextual() ? root.get("user").asText() : null);
    }

    private ChatMessage message(JsonNode m, String at) {
        String role = m.path("role").asText("");
        String content = text(m.get("content"));
        return switch (role) {
            case "system", "developer" -> SystemMessage.from(require(content, at));
            case "user" -> UserMessage.from(require(content, at));
            case "assistant" -> {
                List<ToolExecutionRequest> calls = new ArrayList<>();
                for (JsonNode c : m.path("tool_calls")) {
                    calls.add(ToolExecutionRequest.builder().id(c.path("id").asText())
                            .name(c.path("function").path("name").asText())
                            .arguments(c.path("function").path("arguments").asText("{}")).build());
                }
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

    private static String require(String content, String at) {
        if (content == null) {
            throw new Invalid(at + ".content must be a string or an array of text parts");
        }
        return content;
    }

    /** A string, or the text parts of an array of content parts joined. */
    private static String text(JsonNode content) {
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

    ObjectNode completion(String id, String alias, long created, ChatResponse r) {
        ObjectNode root = json.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", created).put("model", alias);
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        AiMessage ai = r.aiMessage();
        if (ai.text() != null) {
            message.put("content", ai.text());
        } else {
            message.putNull("content");
        }
        if (ai.hasToolExecutionRequests()) {
            message.set("tool_calls", toolCalls(ai, false));
        }
        choice.put("finish_reason", finish(r));
        usage(root, r.tokenUsage());
        return root;
    }

    ObjectNode chunk(String id, String alias, long created) {
        ObjectNode root = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", alias);
        root.putArray("choices").addObject().put("index", 0).putObject("delta");
        return root;
    }

    static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.get("choices").get(0).get("delta");
    }

    ObjectNode lastChunk(String id, String alias, long created, ChatResponse r) {
        ObjectNode c = chunk(id, alias, created);
        if (r.aiMessage().hasToolExecutionRequests()) {
            delta(c).set("tool_calls", toolCalls(r.aiMessage(), true));
        }
        ((ObjectNode) c.get("choices").get(0)).put("finish_reason", finish(r));
        return c;
    }

    ObjectNode usageChunk(String id, String alias, long created, TokenUsage usage) {
        ObjectNode root = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", alias);
        root.putArray("choices");
        usage(root, usage);
        return root;
    }

    ObjectNode error(String message, String type, String code) {
        ObjectNode root = json.createObjectNode();
        root.putObject("error").put("message", message).put("type", type).put("code", code).putNull("param");
        return root;
    }

    private ArrayNode toolCalls(AiMessage ai, boolean indexed) {
        ArrayNode calls = json.createArrayNode();
        int i = 0;
        for (ToolExecutionRequest t : ai.toolExecutionRequests()) {
            ObjectNode c = calls.addObject();
            if (indexed) {
                c.put("index", i);
            }
            c.put("id", t.id() == null || t.id().isEmpty() ? "call_" + i : t.id()).put("type", "function");
            c.putObject("function").put("name", t.name()).put("arguments", t.arguments());
            i++;
        }
        return calls;
    }

    private static String finish(ChatResponse r) {
        if (r.aiMessage().hasToolExecutionRequests()) {
            return "tool_calls";
        }
        return r.finishReason() == FinishReason.LENGTH ? "length" : "stop";
    }

    private static void usage(ObjectNode root, TokenUsage u) {
        int in = u == null || u.inputTokenCount() == null ? 0 : u.inputTokenCount();
        int out = u == null || u.outputTokenCount() == null ? 0 : u.outputTokenCount();
        root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
    }
}
