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
        // no regex: this runs on every completion request (replaceAll compiled one each time)
        String url = baseUrl.toString();
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }

    /**
     * A spec from the swarm file's defaults (as {@link PoolSpec#builder()} is): set by name only what
     * differs. {@code name}, {@code provider}, {@code baseUrl} and {@code model} have no default.
     */
    public static Builder builder(String name, Provider provider, URI baseUrl, String model) {
        return new Builder(name, provider, baseUrl, model);
    }

    /** The swarm file's defaults, in one place (SwarmFileLoader reads a missing field as these). */
    public static final class Builder {
        public static final int DEFAULT_MAX_CONCURRENT = 4;
        public static final int DEFAULT_WEIGHT = 1;
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

        private final String name;
        private final Provider provider;
        private final URI baseUrl;
        private final String model;
        private List<String> serves;
        private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
        private int weight = DEFAULT_WEIGHT;
        private boolean backup;
        private Optional<String> apiKey = Optional.empty();
        private Duration timeout = DEFAULT_TIMEOUT;
        private Optional<SimSpec> simulate = Optional.empty();

        private Builder(String name, Provider provider, URI baseUrl, String model) {
            this.name = name;
            this.provider = provider;
            this.baseUrl = baseUrl;
            this.model = model;
            this.serves = List.of(model);
        }

        public Builder serves(List<String> v) { serves = List.copyOf(v); return this; }
        public Builder maxConcurrent(int v) { maxConcurrent = v; return this; }
        public Builder weight(int v) { weight = v; return this; }
        public Builder backup(boolean v) { backup = v; return this; }
        public Builder apiKey(String v) { apiKey = Optional.ofNullable(v); return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder simulate(SimSpec v) { simulate = Optional.ofNullable(v); return this; }

        public BackendSpec build() {
            return new BackendSpec(name, provider, baseUrl, model, serves, maxConcurrent, weight, backup, apiKey, timeout, simulate);
        }
    }

    @Override
    public String toString() {
        // apiKey is left out on purpose: records print all components and this one is a secret
        return "BackendSpec[" + name + " " + provider.id() + " " + baseUrl + " model=" + model + " serves=" + serves + "]";
    }
}
