package dev.switchboard.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's Prometheus metrics, per backend (tag {@code backend}): in flight, requests by
 * outcome, errors by kind, time to first token and total latency (histograms), tokens, health.
 * Names are {@code switchboard_backend_*} and {@code switchboard_pool_*} on {@code /q/metrics}.
 */
final class PoolMetrics {
    private final MeterRegistry registry;
    private final Map<String, Meters> byBackend = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();

    private record Meters(Counter ok, Counter failed, Timer ttft, Timer latency, Counter tokensIn, Counter tokensOut,
                          Timer genAiDuration, DistributionSummary genAiInput, DistributionSummary genAiOutput) {
    }

    PoolMetrics(MeterRegistry registry, List<Backend> backends) {
        this.registry = registry;
        for (Backend b : backends) {
            String n = b.name();
            Gauge.builder("switchboard.backend.inflight", b, Backend::inflight).tag("backend", n)
                    .description("requests in flight from this replica").register(registry);
            Gauge.builder("switchboard.backend.health", b, x -> x.health().state().gauge).tag("backend", n)
                    .description("1 up, 0.5 half-open (trial), 0 down").register(registry);
            byBackend.put(n, new Meters(
                    Counter.builder("switchboard.backend.requests").tag("backend", n).tag("outcome", "ok").register(registry),
                    Counter.builder("switchboard.backend.requests").tag("backend", n).tag("outcome", "error").register(registry),
                    histogram("switchboard.backend.ttft", n, "time to first token (whole answer when not streamed)"),
                    histogram("switchboard.backend.latency", n, "request to last byte"),
                    Counter.builder("switchboard.backend.tokens").tag("backend", n).tag("direction", "in").register(registry),
                    Counter.builder("switchboard.backend.tokens").tag("backend", n).tag("direction", "out").register(registry),
                    Timer.builder("gen_ai.client.operation.duration").tags(genAi(b))
                            .description("GenAI client operation duration (OpenTelemetry semantic conventions)")
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(120))
                            .register(registry),
                    tokenUsage(b, "input"),
                    tokenUsage(b, "output")));
        }
        Gauge.builder("switchboard.pool.queued", queued, AtomicInteger::get)
                .description("turns waiting for a backend with room").register(registry);
    }

    /** The attributes the GenAI conventions put on a client operation, plus the pool's own backend name. */
    private static Tags genAi(Backend b) {
        return Tags.of("gen_ai.operation.name", "chat", "gen_ai.provider.name", b.spec().provider().id(),
                "gen_ai.request.model", b.spec().model(), "server.address", b.spec().baseUrl().getHost(),
                "backend", b.name());
    }

    private DistributionSummary tokenUsage(Backend b, String type) {
        return DistributionSummary.builder("gen_ai.client.token.usage").tags(genAi(b)).tag("gen_ai.token.type", type)
                .description("tokens per completion try (OpenTelemetry semantic conventions; estimated where the backend reported none)")
                .serviceLevelObjectives(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)
                .register(registry);
    }

    private Timer histogram(String name, String backend, String description) {
        return Timer.builder(name).tag("backend", backend).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(120))
                .register(registry);
    }

    void succeeded(Backend b, long ttftNanos, long totalNanos) {
        Meters m = byBackend.get(b.name());
        m.ok().increment();
        m.ttft().record(ttftNanos, TimeUnit.NANOSECONDS);
        m.latency().record(totalNanos, TimeUnit.NANOSECONDS);
        m.genAiDuration().record(totalNanos, TimeUnit.NANOSECONDS);
    }

    /** What one try cost, reported or estimated, answered or not (a hedge's loser, a cut stream). */
    void spent(Backend b, Usage usage) {
        Meters m = byBackend.get(b.name());
        if (usage.input() > 0) {
            m.tokensIn().increment(usage.input());
            m.genAiInput().record(usage.input());
        }
        if (usage.output() > 0) {
            m.tokensOut().increment(usage.output());
            m.genAiOutput().record(usage.output());
        }
    }

    void failed(Backend b, BackendFailure.Kind kind) {
        byBackend.get(b.name()).failed().increment();
        registry.counter("switchboard.backend.errors", "backend", b.name(), "kind", kind.name().toLowerCase()).increment();
    }

    /** Session affinity's hits (the session's first choice) and spills (bounded load sent it elsewhere). */
    void affinity(BalancingStrategy strategy) {
        if (strategy instanceof SessionAffinity a) {
            io.micrometer.core.instrument.FunctionCounter.builder("switchboard.pool.affinity", a.hits, java.util.concurrent.atomic.LongAdder::sum)
                    .tag("outcome", "hit").description("session-affinity picks of the session's first choice").register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("switchboard.pool.affinity", a.spills, java.util.concurrent.atomic.LongAdder::sum)
                    .tag("outcome", "spill").description("session-affinity picks that spilled past a loaded first choice").register(registry);
        }
    }

    void resumed(String from, String to) {
        registry.counter("switchboard.backend.resumes", "from", from, "to", to).increment();
    }

    void hedged(String alias) {
        registry.counter("switchboard.pool.hedges", "alias", alias).increment();
    }

    void hedgeWon(String alias) {
        registry.counter("switchboard.pool.hedge.wins", "alias", alias).increment();
    }

    void overloaded(String alias) {
        registry.counter("switchboard.pool.overloaded", "alias", alias).increment();
    }

    AtomicInteger queued() {
        return queued;
    }
}
