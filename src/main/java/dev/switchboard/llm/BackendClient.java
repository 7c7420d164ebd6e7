package dev.switchboard.llm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.internal.OpenAiUtils;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.Provider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * How one backend is called, always without blocking: LangChain4j's streaming model of the
 * backend's provider (Ollama's, or OpenAI's for {@code openai} and {@code exo}) over a
 * {@link VertxHttpTransport}, built once per backend so its connections stay alive between turns.
 *
 * <p>A non-streamed call to an OpenAI-format backend is one JSON exchange instead: LangChain4j's
 * non-streaming models can only block (the SPI's {@code execute} returns the body), and asking for
 * a stream the client does not want would cost a parse per token. Its JSON is written and read by
 * {@link OpenAiJson} for the shapes a turn uses, else with LangChain4j's own OpenAI types
 * ({@link OpenAiUtils}). Ollama's request and response mapping is not public
 * in LangChain4j, so a non-streamed Ollama call reads Ollama's stream and drops the tokens.
 */
final class BackendClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** LangChain4j's OpenAI DTOs are Jackson-annotated; their own mapper pretty-prints, this one does not. */
    private static final ObjectMapper OPENAI_JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final BackendSpec spec;
    private final VertxHttpTransport transport;
    private final StreamingChatModel streaming;
    private final OpenAiChatRequestParameters openAiDefaults;

    BackendClient(BackendSpec spec, Vertx vertx) {
        this.spec = spec;
        // room for every turn this replica may send, and a probe beside them
        this.transport = new VertxHttpTransport(vertx, CONNECT_TIMEOUT, spec.timeout(), spec.maxConcurrent() + 1);
        VertxHttpTransport.Builder http = new VertxHttpTransport.Builder(transport);
        this.streaming = switch (spec.provider()) {
            case OLLAMA -> OllamaStreamingChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(spec.baseUrl().toString())
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .build();
            case OPENAI, EXO -> OpenAiStreamingChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(spec.openAiBaseUrl())
                    .apiKey(spec.apiKey().orElse("not-needed"))
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .build();
        };
        this.openAiDefaults = spec.provider() == Provider.OLLAMA ? null
                : OpenAiChatRequestParameters.builder().modelName(spec.model()).build();
    }

    /**
     * Starts one completion on the calling event loop; {@code handler} hears the pieces (when
     * {@code stream}) and exactly one end. Stop it with {@code exchange.abort()}.
     */
    void complete(ChatRequest request, boolean stream, Exchange exchange, StreamingChatResponseHandler handler) {
        if (stream || openAiDefaults == null) {
            exchange.open(() -> streaming.chat(request, handler));
            return;
        }
        boolean ours = OpenAiJson.handles(request);
        HttpRequest http;
        try {
            http = HttpRequest.builder()
                    .method(HttpMethod.POST)
                    .url(spec.openAiBaseUrl(), "chat/completions")
                    .addHeader("Content-Type", "application/json")
                    .addHeader("Authorization", "Bearer " + spec.apiKey().orElse("not-needed"))
                    .body(ours ? OpenAiJson.request(OPENAI_JSON, spec.model(), request) : OPENAI_JSON.writeValueAsString(
                            OpenAiUtils.toOpenAiChatRequest(request, openAiDefaults.overrideWith(request.parameters()), false, null)
                                    .stream(false).build()))
                    .build();
        } catch (java.io.IOException | RuntimeException e) {
            handler.onError(e);
            return;
        }
        transport.send(http, exchange).onComplete(ar -> {
            if (ar.failed()) {
                handler.onError(ar.cause());
                return;
            }
            ChatResponse response;
            try {
                response = ours ? OpenAiJson.response(OPENAI_JSON, ar.result().body())
                        : toChatResponse(OPENAI_JSON.readValue(ar.result().body(), ChatCompletionResponse.class));
            } catch (Exception e) {
                handler.onError(e); // a garbled body is the backend's fault, as LangChain4j would report it
                return;
            }
            handler.onCompleteResponse(response);
        });
    }

    private static ChatResponse toChatResponse(ChatCompletionResponse r) {
        if (r.choices() == null || r.choices().isEmpty()) {
            throw new IllegalStateException("the backend's answer has no choices");
        }
        return ChatResponse.builder()
                .aiMessage(OpenAiUtils.aiMessageFrom(r))
                .metadata(OpenAiChatResponseMetadata.builder()
                        .id(r.id())
                        .modelName(r.model())
                        .tokenUsage(OpenAiUtils.tokenUsageFrom(r.usage()))
                        .finishReason(OpenAiUtils.finishReasonFrom(r.choices().get(0).finishReason()))
                        .created(r.created())
                        .systemFingerprint(r.systemFingerprint())
                        .build())
                .build();
    }

    /**
     * The cheap active health check: {@code GET /api/tags} for Ollama, {@code GET /v1/models} for
     * OpenAI and exo. Succeeds on a 2xx.
     */
    Future<Void> probe(Exchange exchange) {
        HttpRequest.Builder req = HttpRequest.builder().method(HttpMethod.GET)
                .url(spec.provider() == Provider.OLLAMA ? spec.root() + "/api/tags"
                        : spec.openAiBaseUrl() + "/models");
        spec.apiKey().ifPresent(key -> req.addHeader("Authorization", "Bearer " + key));
        return transport.send(req.build(), exchange).mapEmpty();
    }

    /**
     * Whether this Ollama backend has its model in memory now ({@code GET /api/ps} lists the loaded
     * models); a model that is not loaded costs the next request its load time (seconds to minutes).
     */
    Future<Boolean> modelLoaded(Exchange exchange) {
        HttpRequest req = HttpRequest.builder().method(HttpMethod.GET)
                .url(spec.root() + "/api/ps").build();
        return transport.send(req, exchange).map(r -> {
            try {
                com.fasterxml.jackson.databind.JsonNode models = PS_READER.readTree(r.body()).path("models");
                for (com.fasterxml.jackson.databind.JsonNode m : models) {
                    if (spec.model().equals(m.path("model").asText()) || spec.model().equals(m.path("name").asText())) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("/api/ps did not answer JSON", e);
            }
        });
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PS_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    @Override
    public void close() {
        transport.close();
    }
}
