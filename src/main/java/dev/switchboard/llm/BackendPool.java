package dev.switchboard.llm;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * subscribed to it (the HTTP exchange and every timer belong to that loop). The lock guards only
 * counters and the wait line, never I/O.
 */
public final class BackendPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackendPool.class);
    /** Waiters re-check this often, so a backend whose cooldown ended is seen without a release. */
    private static final long RECHECK_MILLIS = 200;

    private final Vertx vertx;
    private final List<Backend> backends;
    private final PoolSpec spec;
    private final BalancingStrategy strategy;
    private final Clock clock;
    private final PoolMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final long recheckTimer;
    private HealthProber prober;

    public BackendPool(List<BackendSpec> specs, PoolSpec spec, MeterRegistry registry, Vertx vertx) {
        this(specs, spec, BalancingStrategy.of(spec), Clock.systemUTC(), registry, vertx, s -> new BackendClient(s, vertx));
    }

    BackendPool(List<BackendSpec> specs, PoolSpec spec, BalancingStrategy strategy, Clock clock, MeterRegistry registry,
                Vertx vertx, Function<BackendSpec, BackendClient> clients) {
        this.vertx = vertx;
        this.spec = spec;
        this.strategy = strategy;
        this.clock = clock;
        this.backends = specs.stream()
                .map(s -> new Backend(s, clients.apply(s), new BackendHealth(spec.maxFails(), spec.failTimeout(), clock)))
                .toList();
        this.metrics = new PoolMetrics(registry, backends);
        this.recheckTimer = vertx.setPeriodic(RECHECK_MILLIS, id -> {
            if (!waiting.isEmpty()) {
                dispatch();
            }
        });
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

    /** Calls waiting in line for a backend now. */
    int waiting() {
        return metrics.queued().get();
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
        vertx.cancelTimer(recheckTimer);
        if (prober != null) {
            prober.close();
            prober = null;
        }
        backends.forEach(b -> b.client().close());
    }

    /** Could a request for {@code alias} (or one of its fallbacks) be served now or after a short wait? */
    public boolean canServe(String alias) {
        for (String a : chain(alias)) {
            for (Backend b : backends) {
                if (b.serves(a) && b.health().usable()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One completion for {@code alias}, not streamed. */
    public Uni<ChatResponse> chat(String alias, String sessionKey, ChatRequest request) {
        return chat(alias, sessionKey, request, null, null);
    }

    /**
     * One completion for {@code alias}. Nothing happens until the {@link Uni} is subscribed to.
     *
     * @param tokens when not null the backend streams and every piece of text goes here as it arrives
     * @param cancel when not null, cancelling it ends the call at once and resets the backend's request
     * @return fails with {@link LlmException}: {@code overloaded} when no backend had room in time,
     *         {@code backend_unavailable} when every try failed, {@code backend_interrupted} when a stream
     *         broke after output, {@code bad_request} when a backend refused the request itself, {@code cancelled}
     */
    public Uni<ChatResponse> chat(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel) {
        return Uni.createFrom().emitter(em -> {
            PoolCall call = new PoolCall(alias, sessionKey, request, tokens, cancel, em);
            if (Vertx.currentContext() != null) {
                call.next();
            } else {
                // A caller off the event loop (a test, a script): the call still runs on one event loop,
                // so its HTTP exchange, timers and callbacks never race each other across threads.
                vertx.getOrCreateContext().runOnContext(v -> call.next());
            }
        });
    }

    /** One call through the pool: its tries, one backend after another, until one answers. */
    private final class PoolCall {
        private final String alias;
        private final String sessionKey;
        private final ChatRequest request;
        private final TokenSink tokens;
        private final Cancellation cancel;
        private final UniEmitter<? super ChatResponse> result;
        private final Set<Backend> tried = new HashSet<>();
        private int attempts;
        private BackendFailure last;

        PoolCall(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel,
                 UniEmitter<? super ChatResponse> result) {
            this.alias = alias;
            this.sessionKey = sessionKey;
            this.request = request;
            this.tokens = tokens;
            this.cancel = cancel;
            this.result = result;
        }

        void next() {
            if (cancel != null && cancel.isCancelled()) {
                result.fail(new LlmException("cancelled", "the completion was cancelled"));
            } else if (attempts > spec.retries()) {
                giveUp();
            } else {
                acquire(alias, sessionKey, tried, cancel, this::run, result::fail);
            }
        }

        /** @param b the backend to try, or null when every usable one of the alias and its fallbacks was tried */
        private void run(Backend b) {
            if (b == null) {
                giveUp();
                return;
            }
            attempts++;
            new Attempt(this, b).start();
        }

        void failed(Backend b, Throwable error) {
            last = BackendFailure.classify(error);
            tried.add(b);
            metrics.failed(b, last.kind());
            LOG.debugf("backend=%s attempt=%d failed: %s", b.name(), attempts, last.message());
            switch (last.kind()) {
                case BUSY -> {
                    b.busy(clock.millis());
                    b.health().neutral();
                }
                case REQUEST -> {
                    b.health().neutral();
                    result.fail(new LlmException("bad_request", "backend " + b.name() + " refused the request: " + last.message()));
                    return;
                }
                default -> log(b, b.health().failure(last.message()));
            }
            next();
        }

        private void giveUp() {
            if (last != null && last.kind() == BackendFailure.Kind.BUSY) {
                metrics.overloaded(alias);
                result.fail(new LlmException("overloaded", "every backend for model '" + alias + "' is busy; try again shortly"));
                return;
            }
            result.fail(new LlmException("backend_unavailable", "no backend for model '" + alias + "' could answer"
                    + (last == null ? "" : " (last error: " + last.message() + ")")));
        }
    }

    /**
     * One try on one backend, bounded as a whole by the backend's {@code timeout} (a Vert.x timer:
     * the transport's idle timeout alone would let a slow-loris body drip forever). It ends once —
     * answer, error, timeout or cancel — and gives the backend's slot back at that moment.
     */
    private final class Attempt implements StreamingChatResponseHandler {
        private final PoolCall call;
        private final Backend backend;
        private final Exchange exchange = new Exchange();
        private final long started = System.nanoTime();
        private long firstToken;
        private boolean forwarded;
        private boolean ended;
        private long deadline;
        private Runnable onCancel;

        Attempt(PoolCall call, Backend backend) {
            this.call = call;
            this.backend = backend;
        }

        void start() {
            deadline = vertx.setTimer(backend.spec().timeout().toMillis(), id -> end(null, new TimeoutException(
                    "no complete answer within " + backend.spec().timeout().toMillis() + " ms")));
            if (call.cancel != null) {
                onCancel = () -> end(null, new CancellationException("cancelled"));
                call.cancel.onCancel(onCancel);
            }
            // a no-op when LangChain4j has already answered; else the stream ended without its last message
            exchange.onEnd(() -> end(null, new java.io.IOException("the backend's stream ended without its final message")));
            try {
                backend.client().complete(call.request, call.tokens != null, exchange, this);
            } catch (RuntimeException e) {
                end(null, e);
            }
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                if (firstToken == 0) {
                    firstToken = System.nanoTime();
                }
                if (call.tokens == null) {
                    return;
                }
                forwarded = true;
            }
            try {
                call.tokens.token(partial.text());
            } catch (RuntimeException e) {
                // the receiver gave up (its client went away): stop paying for tokens nobody reads
                end(null, new CancellationException("token receiver failed: " + e.getMessage()));
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            end(response, null);
        }

        @Override
        public void onError(Throwable error) {
            end(null, error);
        }

        private void end(ChatResponse response, Throwable error) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            vertx.cancelTimer(deadline);
            if (onCancel != null) {
                call.cancel.forget(onCancel);
            }
            if (error != null) {
                exchange.abort(); // a timeout, cancel or broken stream must not keep the connection
            }
            release(backend);
            if (response != null) {
                long total = System.nanoTime() - started;
                long ttft = firstToken == 0 ? total : firstToken - started;
                backend.recordTtft(ttft / 1e6);
                metrics.succeeded(backend, ttft, total, response.tokenUsage());
                log(backend, backend.health().success());
                call.result.complete(response);
            } else if (error instanceof CancellationException) {
                backend.health().neutral();
                call.result.fail(new LlmException("cancelled", "the completion was cancelled"));
            } else if (forwarded) {
                BackendFailure f = BackendFailure.classify(error);
                metrics.failed(backend, f.kind());
                log(backend, backend.health().failure(f.message()));
                call.result.fail(new LlmException("backend_interrupted", "backend " + backend.name()
                        + " failed after it began to answer (" + f.message() + "); the turn was not stored"));
            } else {
                call.failed(backend, error);
            }
        }
    }

    /** A turn waiting in line for a backend; it may take one only when no earlier waiter could take it. */
    private final class Waiter {
        final String alias;
        final String sessionKey;
        final Set<Backend> tried;
        final Consumer<Backend> grant;
        final Consumer<LlmException> refuse;
        final Context context = Vertx.currentContext();
        long timer;
        Runnable onCancel;

        Waiter(String alias, String sessionKey, Set<Backend> tried, Consumer<Backend> grant,
               Consumer<LlmException> refuse) {
            this.alias = alias;
            this.sessionKey = sessionKey;
            this.tried = tried;
            this.grant = grant;
            this.refuse = refuse;
        }

        /** Back on the waiter's own event loop: the rest of its turn runs there. */
        void run(Runnable action) {
            vertx.cancelTimer(timer);
            if (context == null || Vertx.currentContext() == context) {
                action.run();
            } else {
                context.runOnContext(v -> action.run());
            }
        }
    }

    /**
     * Gives {@code grant} a backend with room for {@code alias} — now when one is free and nobody
     * waits before us, else when one frees up — or null when none is left to try; {@code refuse}
     * gets {@code overloaded} when the line is full or the wait passes {@code queue-timeout}.
     */
    private void acquire(String alias, String sessionKey, Set<Backend> tried, Cancellation cancel,
                         Consumer<Backend> grant, Consumer<LlmException> refuse) {
        Backend picked;
        Waiter me;
        lock.lock();
        try {
            List<Backend> group = usableGroup(alias, tried);
            if (group == null) {
                picked = null;
                me = null;
                if (backends.stream().noneMatch(b -> b.serves(alias))) {
                    refuse.accept(new LlmException("backend_unavailable", "no backend serves model '" + alias + "'"));
                    return;
                }
            } else {
                List<Backend> ready = ready(group);
                if (!ready.isEmpty() && !anEarlierWaiterCanGo(null)) {
                    picked = take(ready, sessionKey);
                    me = null;
                } else {
                    if (waiting.size() >= spec.maxQueue()) {
                        metrics.overloaded(alias);
                        refuse.accept(new LlmException("overloaded", "too many turns are waiting for a backend; try again shortly"));
                        return;
                    }
                    picked = null;
                    me = new Waiter(alias, sessionKey, tried, grant, refuse);
                    waiting.add(me);
                    metrics.queued().incrementAndGet();
                }
            }
        } finally {
            lock.unlock();
        }
        if (me == null) {
            grant.accept(picked);
            return;
        }
        me.timer = vertx.setTimer(spec.queueTimeout().toMillis(), id -> {
            if (withdraw(me)) {
                metrics.overloaded(alias);
                me.run(() -> refuse.accept(new LlmException("overloaded",
                        "every backend for model '" + alias + "' is busy; try again shortly")));
            }
        });
        if (cancel != null) {
            me.onCancel = () -> {
                if (withdraw(me)) {
                    me.run(() -> refuse.accept(new LlmException("cancelled", "cancelled while waiting for a backend")));
                }
            };
            cancel.onCancel(me.onCancel);
        }
    }

    /** Takes {@code w} out of the line; false when it had left already (granted or refused). */
    private boolean withdraw(Waiter w) {
        lock.lock();
        try {
            if (!waiting.remove(w)) {
                return false;
            }
            metrics.queued().decrementAndGet();
        } finally {
            lock.unlock();
        }
        dispatch(); // the next in line may go now
        return true;
    }

    /** Hands freed backends to the waiters, first come first served. */
    private void dispatch() {
        List<Runnable> grants = new ArrayList<>();
        lock.lock();
        try {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                List<Backend> group = usableGroup(w.alias, w.tried);
                Backend b = null;
                if (group != null) {
                    List<Backend> ready = ready(group);
                    if (ready.isEmpty()) {
                        continue; // it keeps its place; later waiters may want other aliases
                    }
                    b = take(ready, w.sessionKey);
                }
                it.remove();
                metrics.queued().decrementAndGet();
                Backend granted = b;
                grants.add(() -> w.run(() -> w.grant.accept(granted)));
            }
        } finally {
            lock.unlock();
        }
        grants.forEach(Runnable::run);
    }

    /** Called with the lock held. */
    private Backend take(List<Backend> ready, String sessionKey) {
        Backend b = strategy.pick(ready, sessionKey);
        b.health().sending();
        b.acquired();
        return b;
    }

    /**
     * The backends a request for {@code alias} may use now: the usable primaries, else the usable backups,
     * of the alias, else of its fallbacks in order; null when nothing usable is left.
     */
    private List<Backend> usableGroup(String alias, Set<Backend> tried) {
        List<Backend> group = healthyGroup(alias, tried);
        return group != null ? group : panicGroup(alias, tried);
    }

    /**
     * Panic mode, as Envoy has it: when no backend of the alias or its fallbacks is usable, the
     * down ones are tried anyway rather than refusing every turn at once. One backend alone that
     * threw a burst of 500s would otherwise be shut off until a probe and a trial let it back (tens
     * of seconds); this way service resumes with its first success. A dead host costs a refused
     * connect, or at most the connect timeout.
     */
    private List<Backend> panicGroup(String alias, Set<Backend> tried) {
        for (String a : chain(alias)) {
            List<Backend> down = new ArrayList<>();
            for (Backend b : backends) {
                if (b.serves(a) && !tried.contains(b)) {
                    down.add(b);
                }
            }
            if (!down.isEmpty()) {
                return down;
            }
        }
        return null;
    }

    private List<Backend> healthyGroup(String alias, Set<Backend> tried) {
        for (String a : chain(alias)) {
            List<Backend> primaries = new ArrayList<>();
            List<Backend> backups = new ArrayList<>();
            for (Backend b : backends) {
                if (b.serves(a) && !tried.contains(b) && b.health().usable()) {
                    (b.spec().backup() ? backups : primaries).add(b);
                }
            }
            if (!primaries.isEmpty()) {
                return primaries;
            }
            if (!backups.isEmpty()) {
                return backups;
            }
        }
        return null;
    }

    private List<Backend> ready(List<Backend> group) {
        long now = clock.millis();
        List<Backend> ready = new ArrayList<>(group.size());
        for (Backend b : group) {
            // a DOWN backend is only in a group in panic mode (see panicGroup)
            if (b.hasRoom(now) && (b.health().admits() || b.health().state() == BackendHealth.State.DOWN)) {
                ready.add(b);
            }
        }
        return ready;
    }

    /** FIFO: a newcomer must not take a backend a waiter could take. */
    private boolean anEarlierWaiterCanGo(Waiter me) {
        for (Waiter w : waiting) {
            if (w == me) {
                return false;
            }
            List<Backend> group = usableGroup(w.alias, w.tried);
            if (group != null && !ready(group).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The alias, then its fallbacks (and theirs), each once. */
    List<String> chain(String alias) {
        Set<String> out = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(alias));
        while (!todo.isEmpty()) {
            String a = todo.poll();
            if (out.add(a)) {
                todo.addAll(spec.fallbacks().getOrDefault(a, List.of()));
            }
        }
        return List.copyOf(out);
    }

    private void release(Backend b) {
        lock.lock();
        try {
            b.released();
        } finally {
            lock.unlock();
        }
        if (!waiting.isEmpty()) {
            dispatch();
        }
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
        if (!waiting.isEmpty()) {
            dispatch();
        }
    }
}
