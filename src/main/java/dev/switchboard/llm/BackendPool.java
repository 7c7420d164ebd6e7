package dev.switchboard.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import io.micrometer.core.instrument.MeterRegistry;
import dev.switchboard.trace.TurnTrace;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The backends of one replica. A call names a model alias; the pool
 * <ol>
 *   <li>routes: the backends that {@code serve} the alias, primaries before {@code backup} ones, healthy
 *       ones only, then the alias's {@code fallbacks} when none is left;</li>
 *   <li>balances among those with room with the configured {@link BalancingStrategy};</li>
 *   <li>queues when all are at {@code max-concurrent}: first come, first served (a session has one turn at a
 *       time, so this is fair across sessions), at most {@code max-queue} waiting, each at most
 *       {@code queue-timeout}, then {@code overloaded};</li>
 *   <li>retries on another backend after a connect error, timeout, 5xx or 429 that came before any output
 *       reached the caller, up to {@code retries} times; a failure after output is {@code backend_interrupted}.</li>
 * </ol>
 * Non-blocking: {@link #chat} returns at once and its {@link Uni} completes on the event loop that
 * subscribed to it (the HTTP exchange and every timer belong to that loop).
 * <p>
 * This class is the pool's face. The work is in four pieces, each with its own lifetime:
 * {@link Routing} (which backends may serve an alias now: pure code), {@link Admission} (the slots,
 * the wait line and its lock), {@link PoolCall} (one call: retries, resume, hedge) and {@link Attempt}
 * (one try on one backend: its timers and stall watch).
 */
public final class BackendPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackendPool.class);

    private final Vertx vertx;
    private final List<Backend> backends;
    private final PoolSpec spec;
    private final Clock clock;
    private final PoolMetrics metrics;
    private final Routing routing;
    private final Admission admission;
    private HealthProber prober;

    public BackendPool(List<BackendSpec> specs, PoolSpec spec, MeterRegistry registry, Vertx vertx) {
        this(specs, spec, BalancingStrategy.of(spec), Clock.systemUTC(), registry, vertx, s -> new BackendClient(s, vertx));
    }

    BackendPool(List<BackendSpec> specs, PoolSpec spec, BalancingStrategy strategy, Clock clock, MeterRegistry registry,
                Vertx vertx, Function<BackendSpec, BackendClient> clients) {
        this.vertx = vertx;
        this.spec = spec;
        this.clock = clock;
        this.backends = specs.stream()
                .map(s -> new Backend(s, clients.apply(s), new BackendHealth(spec.maxFails(), spec.failTimeout(), clock)))
                .toList();
        this.metrics = new PoolMetrics(registry, backends);
        metrics.affinity(strategy);
        this.routing = new Routing(backends, spec, clock);
        this.admission = new Admission(vertx, spec, routing, strategy, metrics);
    }

    public List<Backend> backends() {
        return backends;
    }

    public PoolSpec spec() {
        return spec;
    }

    Vertx vertx() {
        return vertx;
    }

    Clock clock() {
        return clock;
    }

    PoolMetrics metrics() {
        return metrics;
    }

    Admission admission() {
        return admission;
    }

    /** Calls waiting in line for a backend now. */
    int waiting() {
        return admission.waiting();
    }

    /** Every model alias some backend serves, in file order. */
    public Set<String> aliases() {
        Set<String> out = new LinkedHashSet<>();
        backends.forEach(b -> out.addAll(b.spec().serves()));
        return out;
    }

    /** Starts the active health probes (every {@code probe-interval}). */
    public synchronized void startProbes() {
        if (prober == null) {
            prober = new HealthProber(this);
            prober.start();
        }
    }

    @Override
    public synchronized void close() {
        admission.close();
        if (prober != null) {
            prober.close();
            prober = null;
        }
        backends.forEach(b -> b.client().close());
    }

    /** Could a request for {@code alias} (or one of its fallbacks) be served now or after a short wait? */
    public boolean canServe(String alias) {
        return routing.canServe(alias);
    }

    /** The alias, then its fallbacks (and theirs), each once. */
    List<String> chain(String alias) {
        return routing.chain(alias);
    }

    /** One completion for {@code alias}, not streamed. */
    public Uni<ChatResponse> chat(String alias, String sessionKey, ChatRequest request) {
        return chat(alias, sessionKey, request, null, null, null, TurnTrace.NONE);
    }

    /** {@link #chat(String, String, ChatRequest, TokenSink, Cancellation, UsageMeter)} with nobody counting its cost. */
    public Uni<ChatResponse> chat(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel) {
        return chat(alias, sessionKey, request, tokens, cancel, null, TurnTrace.NONE);
    }

    /**
     * One completion for {@code alias}. Nothing happens until the {@link Uni} is subscribed to.
     *
     * @param tokens when not null the backend streams and every piece of text goes here as it arrives
     * @param cancel when not null, cancelling it ends the call at once and resets the backend's request
     * @param meter  when not null, every try's cost is added to it as the try ends (reported, else estimated)
     * @param trace  the turn (or request) this call's {@code chat <alias>} span goes under; its tries are events
     * @return fails with {@link LlmException}: {@code overloaded} when no backend had room in time,
     *         {@code backend_unavailable} when every try failed, {@code backend_interrupted} when a stream
     *         broke after output, {@code bad_request} when a backend refused the request itself, {@code cancelled}
     */
    public Uni<ChatResponse> chat(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel,
                                  UsageMeter meter, TurnTrace trace) {
        return Uni.createFrom().emitter(em -> {
            PoolCall call = new PoolCall(this, alias, sessionKey, request, tokens, cancel, meter, trace, em);
            if (Vertx.currentContext() != null) {
                call.next();
            } else {
                // A caller off the event loop (a test, a script): the call still runs on one event loop,
                // so its HTTP exchange, timers and callbacks never race each other across threads.
                vertx.getOrCreateContext().runOnContext(v -> call.next());
            }
        });
    }

    /** A health change: one structured line, and waiters re-check (a backend may be usable again). */
    void log(Backend b, BackendHealth.Change change) {
        if (change == null) {
            return;
        }
        String line = String.format("backend state change: backend=%s from=%s to=%s reason=\"%s\"",
                b.name(), change.from().name().toLowerCase(), change.to().name().toLowerCase(), change.reason());
        if (change.to() == BackendHealth.State.DOWN) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        admission.wakeWaiters();
    }
}
