package dev.switchboard.llm;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.internal.OpenAiUtils;
import dev.switchboard.openai.CompletionJson;
import dev.switchboard.openai.MessageJson;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;

/**
 * The OpenAI chat-completions JSON of a non-streamed turn, written with a {@link JsonGenerator}
 * and read from a tree: the request and answer shapes an agent turn uses (system, user, assistant
 * with tool calls, tool results; tools; temperature, top_p, max_tokens, stop). Measured on a
 * replica, LangChain4j's OpenAI DTOs (reflection, builders, pretty-printing) cost a fifth of a
 * turn's event-loop time; this costs a fraction of that. A request with anything else (images,
 * tool choice, response format, penalties) goes through LangChain4j's own types instead
 * ({@link #handles}). Checked against them by {@code OpenAiJsonTest}.
 */
final class OpenAiJson {
    private OpenAiJson() {
    }

    /** True when {@link #request} writes everything this request asks for. */
    static boolean handles(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        if (p.toolChoice() != null || p.responseFormat() != null || p.frequencyPenalty() != null
                || p.presencePenalty() != null || p.topK() != null) {
            return false;
        }
        for (ChatMessage m : request.messages()) {
            if (m instanceof UserMessage u && !u.hasSingleText()) {
                return false;
            }
            if (!(m instanceof SystemMessage || m instanceof UserMessage || m instanceof AiMessage
                    || m instanceof ToolExecutionResultMessage)) {
                return false;
            }
        }
        return true;
    }

    static String request(ObjectMapper json, String model, ChatRequest request) throws IOException {
        StringWriter out = new StringWriter(1024);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            ChatRequestParameters p = request.parameters();
            g.writeStartObject();
            g.writeStringField("model", p.modelName() != null ? p.modelName() : model);
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : request.messages()) {
                MessageJson.write(g, m);
            }
            g.writeEndArray();
            List<ToolSpecification> tools = p.toolSpecifications();
            if (tools != null && !tools.isEmpty()) {
                g.writeArrayFieldStart("tools");
                for (ToolSpecification t : tools) {
                    g.writeStartObject();
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", t.name());
                    if (t.description() != null) {
                        g.writeStringField("description", t.description());
                    }
                    if (t.parameters() != null) {
                        g.writeFieldName("parameters");
                        json.writeValue(g, JsonSchemaElementUtils.toMap(t.parameters()));
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (p.temperature() != null) {
                g.writeNumberField("temperature", p.temperature());
            }
            if (p.topP() != null) {
                g.writeNumberField("top_p", p.topP());
            }
            if (p.maxOutputTokens() != null) {
                g.writeNumberField("max_tokens", p.maxOutputTokens());
            }
            if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : p.stopSequences()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            g.writeBooleanField("stream", false);
            g.writeEndObject();
        }
        return out.toString();
    }

    /** A {@code chat.completion} object as LangChain4j's OpenAI model would have returned it. */
    static ChatResponse response(ObjectMapper json, String body) throws IOException {
        JsonNode root = json.readTree(body);
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new IOException("the backend's answer has no choices");
        }
        JsonNode message = choice.path("message");
        JsonNode content = message.get("content");
        // an empty answer is no text at all, as LangChain4j reads it (BadOutput then calls it empty)
        String text = content == null || content.isNull() || content.asText().isEmpty() ? null : content.asText();
        List<ToolExecutionRequest> calls = CompletionJson.readToolCalls(message.get("tool_calls"), null);
        AiMessage ai = AiMessage.builder().text(text).toolExecutionRequests(calls).build();
        ChatResponse.Builder r = ChatResponse.builder().aiMessage(ai)
                .id(root.path("id").asText(null))
                .modelName(root.path("model").asText(null))
                .finishReason(OpenAiUtils.finishReasonFrom(choice.path("finish_reason").asText(null)))
                .tokenUsage(CompletionJson.readUsage(root.get("usage")));
        return r.build();
    }
}
