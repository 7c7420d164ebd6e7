package dev.switchboard.llm;

import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.config.BackendSpec;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Builds the LangChain4j models of a backend: Ollama's for {@code ollama}, OpenAI's for
 * {@code openai} and {@code exo}, one blocking and one streaming. Each is built once per backend
 * and keeps its JDK HTTP client, so connections to the backend stay alive between turns.
 */
final class ChatModels {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private ChatModels() {
    }

    /**
     * HTTP/1.1 because Ollama and most OpenAI-compatible servers speak nothing else in plain text,
     * and the JDK client would otherwise try an h2c upgrade on every new connection. The client's
     * own executor runs on virtual threads; the streaming reader runs on virtual threads too, by
     * {@link AbortableHttpClient}, which also lets the pool abort a stream.
     */
    private static final java.util.concurrent.ExecutorService HTTP_EXECUTOR =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("llm-http-", 0).factory());

    private static JdkHttpClientBuilder http(BackendSpec spec) {
        return new JdkHttpClientBuilder()
                .httpClientBuilder(AbortableHttpClient.builder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(CONNECT_TIMEOUT).executor(HTTP_EXECUTOR)))
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(spec.timeout());
    }

    static ChatModel create(BackendSpec spec) {
        return switch (spec.provider()) {
            case OLLAMA -> OllamaChatModel.builder()
                    .httpClientBuilder(http(spec))
                    .baseUrl(spec.baseUrl().toString())
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .maxRetries(0) // the pool retries, on another backend
                    .build();
            case OPENAI, EXO -> OpenAiChatModel.builder()
                    .httpClientBuilder(http(spec))
                    .baseUrl(spec.openAiBaseUrl())
                    .apiKey(spec.apiKey().orElse("not-needed"))
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .maxRetries(0)
                    .build();
        };
    }

    static StreamingChatModel createStreaming(BackendSpec spec) {
        return switch (spec.provider()) {
            case OLLAMA -> OllamaStreamingChatModel.builder()
                    .httpClientBuilder(http(spec))
                    .baseUrl(spec.baseUrl().toString())
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .build();
            case OPENAI, EXO -> OpenAiStreamingChatModel.builder()
                    .httpClientBuilder(http(spec))
                    .baseUrl(spec.openAiBaseUrl())
                    .apiKey(spec.apiKey().orElse("not-needed"))
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .build();
        };
    }
}
