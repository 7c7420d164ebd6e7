package dev.switchboard.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One LLM backend of the pool, as the swarm file declares it.
 *
 * @param name          unique name, used in logs, metrics and replies of the simulator
 * @param provider      wire format
 * @param baseUrl       e.g. {@code http://10.0.1.10:11434} (Ollama) or {@code https://api.openai.com/v1}
 * @param model         the model name the backend is asked for
 * @param serves        model aliases agents may ask for that this backend answers
 * @param maxConcurrent most requests in flight from one replica
 * @param weight        relative capacity, for weighted strategies
 * @param backup        used only when no primary backend of the alias is healthy
 * @param apiKey        resolved secret (never logged)
 * @param timeout       whole-request timeout
 * @param simulate      present when {@code bin/up} should run the project's simulator at {@code baseUrl}
 */
public record BackendSpec(String name, Provider provider, URI baseUrl, String model, List<String> serves,
                          int maxConcurrent, int weight, boolean backup, Optional<String> apiKey,
                          Duration timeout, Optional<SimSpec> simulate) {

    /** Where the OpenAI-format client should point: exo and OpenAI both take a base URL ending in /v1. */
    public String openAiBaseUrl() {
        String url = root();
        return url.endsWith("/v1") ? url : url + "/v1";
    }

    /** The base URL without trailing slashes, for appending a path ({@code /api/tags}). */
    public String root() {
        return baseUrl.toString().replaceAll("/+$", "");
    }

    @Override
    public String toString() {
        // apiKey is left out on purpose: records print all components and this one is a secret
        return "BackendSpec[" + name + " " + provider.id() + " " + baseUrl + " model=" + model + " serves=" + serves + "]";
    }
}
