package dev.switchboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.llm.JsonSchemas;
import dev.switchboard.openai.CompletionJson;
import dev.switchboard.openai.MessageJson;

import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway accepts of a {@code /v1/chat/completions} request, with its bounds (message
 * count, {@code max_tokens}); the answers are written by the shared {@link CompletionJson}.
 */
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
            try {
                out.add(MessageJson.read(m, "messages[" + i++ + "]"));
            } catch (MessageJson.Invalid e) {
                throw new Invalid(e.getMessage());
            }
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

}
