package dev.switchboard.llm;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.Provider;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks, every {@code probe-interval}: a cheap HTTP probe ({@code GET /api/tags} for
 * Ollama, {@code GET /v1/models} for OpenAI and exo) and, with {@code deep-probe: true}, a 1-token
 * completion, because Ollama answers its HTTP endpoints while inference hangs. A failed probe takes
 * a backend down at once; a successful one gives a down backend its trial request early.
 */
final class HealthProber implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthProber.class);

    private final BackendPool pool;
    private final Duration interval;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ChatModels.CONNECT_TIMEOUT)
            .build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("backend-probes").daemon().factory());

    HealthProber(BackendPool pool) {
        this.pool = pool;
        this.interval = pool.spec().probeInterval();
        // a probe must finish before the next one is due
        this.timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
    }

    void start() {
        long every = interval.toMillis();
        timer.scheduleWithFixedDelay(this::probeAll, every, every, TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        for (Backend b : pool.backends()) {
            // probes block on HTTP: one virtual thread each, so a hung backend does not delay the others
            Thread.ofVirtual().name("probe-" + b.name()).start(() -> probe(b));
        }
    }

    void probe(Backend b) {
        String problem = httpProbe(b.spec());
        if (problem == null && pool.spec().deepProbe()) {
            problem = deepProbe(b);
        }
        if (problem == null) {
            pool.log(b, b.health().probeSucceeded());
        } else {
            LOG.debugf("probe of backend=%s failed: %s", b.name(), problem);
            pool.log(b, b.health().probeFailed(problem));
        }
    }

    /** @return null when healthy, else what was wrong */
    private String httpProbe(BackendSpec spec) {
        URI uri = URI.create(spec.provider() == Provider.OLLAMA
                ? spec.baseUrl().toString().replaceAll("/+$", "") + "/api/tags"
                : spec.openAiBaseUrl() + "/models");
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        spec.apiKey().ifPresent(key -> req.header("Authorization", "Bearer " + key));
        try {
            int status = http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status / 100 == 2 ? null : "GET " + uri.getPath() + " answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "GET " + uri.getPath() + ": " + e.getClass().getSimpleName();
        }
    }

    private String deepProbe(Backend b) {
        ChatRequest one = ChatRequest.builder().messages(UserMessage.from("ping")).maxOutputTokens(1).build();
        try {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread.ofVirtual().name("deep-probe-" + b.name()).start(() -> {
                try {
                    b.model().chat(one);
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (java.util.concurrent.TimeoutException e) {
            return "1-token completion took longer than " + timeout.toMillis() + " ms";
        } catch (Exception e) {
            return "1-token completion failed: " + BackendFailure.classify(e).message();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
