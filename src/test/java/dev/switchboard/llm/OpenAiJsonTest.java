package dev.switchboard.llm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.internal.OpenAiUtils;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written OpenAI JSON must say what LangChain4j's own OpenAI types say. */
class OpenAiJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static ChatRequest turn() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("transfer_to_sales").arguments("{}").build();
        return ChatRequest.builder()
                .messages(SystemMessage.from("You are \"triage\".\nPort 8083."),
                        UserMessage.from("hello 🙂"),
                        AiMessage.from(call),
                        ToolExecutionResultMessage.from(call, "Transferred to sales."),
                        AiMessage.from("an answer"),
                        UserMessage.from("and now?"))
                .toolSpecifications(ToolSpecification.builder().name("transfer_to_sales").description("Hand over to sales")
                        .parameters(JsonObjectSchema.builder().addStringProperty("reason", "why").required("reason").build()).build())
                .temperature(0.3).topP(0.9).maxOutputTokens(64).stopSequences(List.of("END"))
                .build();
    }

    @Test
    void a_turns_request_is_the_json_langchain4j_writes() throws Exception {
        ChatRequest request = turn();
        assertTrue(OpenAiJson.handles(request));
        OpenAiChatRequestParameters defaults = OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").build();
        JsonNode theirs = JSON.readTree(JSON.writeValueAsString(OpenAiUtils.toOpenAiChatRequest(request,
                defaults.overrideWith(request.parameters()), false, null).stream(false).build()));
        JsonNode ours = JSON.readTree(OpenAiJson.request(JSON, "gpt-4o-mini", request));
        assertEquals(theirs, ours);
    }

    @Test
    void what_it_does_not_write_is_left_to_langchain4j() {
        assertFalse(OpenAiJson.handles(ChatRequest.builder().messages(UserMessage.from(TextContent.from("look"),
                ImageContent.from("http://example.com/a.png"))).build()));
        assertFalse(OpenAiJson.handles(ChatRequest.builder().messages(UserMessage.from("x"))
                .responseFormat(ResponseFormat.JSON).build()));
        assertFalse(OpenAiJson.handles(ChatRequest.builder().messages(UserMessage.from("x")).presencePenalty(0.5).build()));
    }

    @Test
    void answers_read_as_langchain4j_reads_them() throws Exception {
        String[] bodies = {
                """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                 "message":{"role":"assistant","content":"hi \\"there\\"","refusal":null},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""",
                """
                {"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                 "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function",
                 "function":{"name":"calculator","arguments":"{\\"expression\\":\\"1+1\\"}"}}]},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""",
                """
                {"id":"chatcmpl-3","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                 "message":{"role":"assistant","content":""},"finish_reason":"length"}]}"""};
        for (String body : bodies) {
            ChatCompletionResponse r = JSON.readValue(body, ChatCompletionResponse.class);
            AiMessage theirs = OpenAiUtils.aiMessageFrom(r);
            ChatResponse ours = OpenAiJson.response(JSON, body);
            assertEquals(theirs, ours.aiMessage(), body);
            assertEquals(OpenAiUtils.finishReasonFrom(r.choices().get(0).finishReason()), ours.finishReason(), body);
            if (r.usage() != null) {
                assertEquals(r.usage().promptTokens(), ours.tokenUsage().inputTokenCount());
                assertEquals(r.usage().completionTokens(), ours.tokenUsage().outputTokenCount());
            }
            assertEquals(r.id(), ours.id());
        }
    }
}
