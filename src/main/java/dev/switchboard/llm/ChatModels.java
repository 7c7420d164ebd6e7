package dev.switchboard.llm;

import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.switchboard.config.BackendSpec;

import java.net.http.HttpClient;
import java.time.Duration;

/** Builds the LangChain4j model of a backend: Ollama's for {@code ollama}, OpenAI's for {@code openai} and {@code exo}. */
final class ChatModels {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private ChatModels() {
    }

    static ChatModel create(BackendSpec spec) {
        // One JDK client per backend keeps its connections alive between turns. HTTP/1.1 because
        // Ollama and most OpenAI-compatible servers speak nothing else in plain text, and the JDK
        // client would otherwise try an h2c upgrade on every new connection.
        JdkHttpClientBuilder http = new JdkHttpClientBuilder()
                .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1))
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(spec.timeout());
        return switch (spec.provider()) {
            case OLLAMA -> OllamaChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(spec.baseUrl().toString())
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .maxRetries(0) // the pool retries, on another backend
                    .build();
            case OPENAI, EXO -> OpenAiChatModel.builder()
                    .httpClientBuilder(http)
                    .baseUrl(spec.openAiBaseUrl())
                    .apiKey(spec.apiKey().orElse("not-needed"))
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .maxRetries(0)
                    .build();
        };
    }
}
