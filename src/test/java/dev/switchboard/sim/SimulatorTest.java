package dev.switchboard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator through LangChain4j's own Ollama and OpenAI clients (what the replicas use) and
 * raw HTTP. The official npm clients check it too: tests/node/sim-clients.test.mjs.
 */
class SimulatorTest {
    private static Simulator sim;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpecification TO_SALES = ToolSpecification.builder().name("transfer_to_sales")
            .description("Hand off to sales").parameters(JsonObjectSchema.builder().build()).build();

    @BeforeAll
    static void start() throws Exception {
        sim = Simulator.start(SimOptions.of("unit", 0).withLatency(Duration.ofMillis(20), Duration.ofMillis(2)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static ChatRequest conversation() {
        return ChatRequest.builder().messages(SystemMessage.from("You are the test agent."), UserMessage.from("first"),
                AiMessage.from("ok"), UserMessage.from("second question")).build();
    }

    @Test
    void ollama_chat_echoes_what_the_model_was_sent() {
        var model = OllamaChatModel.builder().baseUrl(sim.baseUrl()).modelName("sim").build();
        String text = model.chat(conversation()).aiMessage().text();
        assertEquals("(sim unit) users=2 said=\"second question\" system=\"You are the test agent.\"", text);
    }

    @Test
    void openai_chat_echoes_what_the_model_was_sent() {
        var model = OpenAiChatModel.builder().baseUrl(sim.baseUrl() + "/v1").apiKey("k").modelName("sim").build();
        ChatResponse r = model.chat(conversation());
        assertTrue(r.aiMessage().text().contains("users=2"));
        assertTrue(r.tokenUsage().outputTokenCount() > 0);
    }

    @Test
    void both_formats_carry_tool_calls() {
        ChatRequest ask = ChatRequest.builder().messages(UserMessage.from("I want sales please"))
                .toolSpecifications(TO_SALES).build();
        var ollama = OllamaChatModel.builder().baseUrl(sim.baseUrl()).modelName("sim").build();
        var openai = OpenAiChatModel.builder().baseUrl(sim.baseUrl() + "/v1").apiKey("k").modelName("sim").build();
        for (var model : List.of(ollama, openai)) {
            AiMessage ai = model.chat(ask).aiMessage();
            assertEquals(1, ai.toolExecutionRequests().size(), model.getClass().getSimpleName());
            assertEquals("transfer_to_sales", ai.toolExecutionRequests().get(0).name());
        }
        AiMessage forced = openai.chat(ChatRequest.builder()
                .messages(UserMessage.from("[[sim:tool=lookup {\"order\":42}]]"))
                .toolSpecifications(ToolSpecification.builder().name("lookup").build()).build()).aiMessage();
        assertEquals("{\"order\":42}", forced.toolExecutionRequests().get(0).arguments());
    }

    @Test
    void both_formats_stream_every_token_in_order() throws Exception {
        StreamingChatModel ollama = OllamaStreamingChatModel.builder().baseUrl(sim.baseUrl()).modelName("sim").build();
        StreamingChatModel openai = OpenAiStreamingChatModel.builder().baseUrl(sim.baseUrl() + "/v1").apiKey("k").modelName("sim").build();
        for (StreamingChatModel model : List.of(ollama, openai)) {
            List<String> tokens = new ArrayList<>();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            model.chat(conversation(), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    tokens.add(partial);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            ChatResponse r = done.get();
            assertTrue(tokens.size() > 5, "streamed in pieces: " + tokens);
            assertEquals(r.aiMessage().text(), String.join("", tokens));
        }
    }

    @Test
    void the_listing_endpoints_answer_like_the_real_servers() throws Exception {
        assertEquals("Ollama is running", get("/").body());
        JsonNode tags = JSON.readTree(get("/api/tags").body());
        assertEquals("sim", tags.path("models").get(0).path("name").asText());
        JsonNode models = JSON.readTree(get("/v1/models").body());
        assertEquals("list", models.path("object").asText());
        assertEquals("sim", models.path("data").get(0).path("id").asText());
    }

    @Test
    void raw_streams_are_ndjson_and_sse() throws Exception {
        String ndjson = post("/api/chat", "{\"model\":\"sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body();
        String[] lines = ndjson.strip().split("\n");
        assertTrue(lines.length > 2);
        assertTrue(JSON.readTree(lines[lines.length - 1]).path("done").asBoolean());
        String sse = post("/v1/chat/completions", "{\"model\":\"sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body();
        assertTrue(sse.startsWith("data: {"));
        assertTrue(sse.strip().endsWith("data: [DONE]"));
    }

    @Test
    void faults_are_injected_and_run_out() throws Exception {
        sim.inject(Fault.error(503, 2));
        String body = "{\"model\":\"sim\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals(503, post("/api/chat", body).statusCode());
        assertEquals(503, post("/v1/chat/completions", body).statusCode());
        assertEquals(200, post("/api/chat", body).statusCode());
        assertEquals(500, post("/api/chat", body.replace("\"hi\"", "\"[[sim:status=500]]\"")).statusCode());
        HttpResponse<String> admin = post("/_sim/fault", "{\"mode\":\"error\",\"status\":502,\"count\":1}");
        assertEquals(200, admin.statusCode());
        assertEquals(502, post("/api/chat", body).statusCode());
        assertEquals(200, post("/api/chat", body).statusCode());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
