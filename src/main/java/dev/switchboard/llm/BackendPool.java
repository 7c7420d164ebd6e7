package dev.switchboard.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.HedgeAfter;
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
        metrics.affinity(strategy);
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

    /**
     * How a resumed stream asks the next backend to go on. The partial answer goes before it as the
     * assistant's own words, so the model continues them rather than starting over.
     */
    static final String CONTINUE_INSTRUCTION = "Continue your previous answer exactly where it stopped, mid-word if need be. "
            + "Do not repeat any of it and do not comment on the interruption; write only the rest.";

    /**
     * One call through the pool: its tries, one backend after another, until one answers. At most two
     * tries run at once (a hedge); the first to produce output wins and the other is cancelled. A
     * stream that breaks after output resumes on another backend, the caller seeing one answer.
     * Everything of a call runs on the event loop it started on.
     */
    private final class PoolCall {
        private final String alias;
        private final String sessionKey;
        private final ChatRequest original;
        private final TokenSink tokens;
        private final Cancellation cancel;
        private final UniEmitter<? super ChatResponse> result;
        private final Set<Backend> tried = new HashSet<>();
        private final List<Attempt> live = new ArrayList<>(2);
        private ChatRequest request;
        /** What broken attempts already gave the caller; the answer goes on from here. */
        private String prefix = "";
        private int resumes;
        private int attempts;
        private Attempt winner;
        private boolean hedged;
        private boolean done;
        private BackendFailure last;

        PoolCall(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel,
                 UniEmitter<? super ChatResponse> result) {
            this.alias = alias;
            this.sessionKey = sessionKey;
            this.original = request;
            this.request = request;
            this.tokens = tokens;
            this.cancel = cancel;
            this.result = result;
        }

        void next() {
            if (cancel != null && cancel.isCancelled()) {
                fail(new LlmException("cancelled", "the completion was cancelled"));
            } else if (attempts > spec.retries()) {
                giveUp();
            } else {
                acquire(alias, sessionKey, tried, cancel, this::run, this::fail);
            }
        }

        /** @param b the backend to try, or null when every usable one of the alias and its fallbacks was tried */
        private void run(Backend b) {
            if (b == null) {
                giveUp();
                return;
            }
            attempts++;
            Attempt a = new Attempt(this, b, request, false);
            live.add(a);
            a.start();
            if (!hedged && resumes == 0 && spec.hedgeAfter().enabled()) {
                scheduleHedge(a);
            }
        }

        /** A second backend for the same request when the first one's first token is late. */
        private void scheduleHedge(Attempt first) {
            HedgeAfter h = spec.hedgeAfter();
            long after = h.fixed() != null ? h.fixed().toMillis() : (long) first.backend.ttftPercentile(h.percentile());
            if (after <= 0) {
                return; // too few measurements for a percentile yet
            }
            hedged = true;
            first.hedgeTimer = vertx.setTimer(after, id -> {
                if (done || winner != null || !live.contains(first) || (cancel != null && cancel.isCancelled())) {
                    return;
                }
                Set<Backend> busy = new HashSet<>(tried);
                live.forEach(x -> busy.add(x.backend));
                Backend b = takeNow(alias, sessionKey, busy);
                if (b == null) {
                    return; // no other backend has room now: a hedge must not queue
                }
                metrics.hedged(alias);
                LOG.debugf("hedging: backend=%s has no first token after %d ms; asking %s too", first.backend.name(), after, b.name());
                Attempt hedge = new Attempt(this, b, request, true);
                live.add(hedge);
                hedge.start();
            });
        }

        /**
         * The first attempt to produce output (a token, or a whole answer) wins the call; any other
         * running attempt is cancelled at once. False for an attempt that lost.
         */
        boolean claim(Attempt a) {
            if (winner == null) {
                winner = a;
                for (Attempt other : List.copyOf(live)) {
                    if (other != a) {
                        other.end(null, new HedgeLost());
                    }
                }
                if (a.hedge) {
                    metrics.hedgeWon(alias);
                }
            }
            return winner == a;
        }

        void answered(Attempt a, ChatResponse response) {
            live.remove(a);
            complete(prefix.isEmpty() ? response : stitch(response));
        }

        /** The resumed answer as one: the text the caller already has, then the rest. */
        private ChatResponse stitch(ChatResponse rest) {
            AiMessage ai = rest.aiMessage();
            String text = prefix + (ai.text() == null ? "" : ai.text());
            AiMessage whole = ai.hasToolExecutionRequests() ? AiMessage.from(text, ai.toolExecutionRequests()) : AiMessage.from(text);
            return ChatResponse.builder().aiMessage(whole).metadata(rest.metadata()).build();
        }

        /** An attempt failed before it gave output. */
        void failedBeforeOutput(Attempt a, Throwable error) {
            live.remove(a);
            if (winner == a) {
                winner = null;
            }
            if (!live.isEmpty()) {
                // the other attempt of a hedge goes on; this backend's failure still counts
                BackendFailure f = BackendFailure.classify(error);
                tried.add(a.backend);
                metrics.failed(a.backend, f.kind());
                log(a.backend, a.backend.health().failure(f.message()));
                return;
            }
            failed(a.backend, error);
        }

        /** An attempt broke after the caller got part of its answer. */
        void brokeAfterOutput(Attempt a, Throwable error) {
            live.remove(a);
            BackendFailure f = BackendFailure.classify(error);
            metrics.failed(a.backend, f.kind());
            log(a.backend, a.backend.health().failure(f.message()));
            tried.add(a.backend);
            prefix = prefix + a.text;
            if (!spec.resumeMidStream() || resumes >= spec.maxResumes() || (cancel != null && cancel.isCancelled())) {
                interrupted(a.backend.name() + " failed after it began to answer (" + f.message() + ")");
                return;
            }
            resumes++;
            winner = null;
            request = continuation();
            String from = a.backend.name();
            acquire(alias, sessionKey, tried, cancel, b -> {
                if (b == null) {
                    interrupted(from + " failed after it began to answer (" + f.message() + ") and no other backend could go on");
                    return;
                }
                metrics.resumed(from, b.name());
                LOG.infof("resuming a broken stream: from=%s to=%s after %d characters (%s)", from, b.name(), prefix.length(), f.message());
                tokens.resumed(from, b.name());
                attempts++;
                Attempt next = new Attempt(this, b, request, false);
                live.add(next);
                next.start();
            }, this::fail);
        }

        private ChatRequest continuation() {
            List<ChatMessage> messages = new ArrayList<>(original.messages());
            messages.add(AiMessage.from(prefix));
            messages.add(UserMessage.from(CONTINUE_INSTRUCTION));
            return original.toBuilder().messages(messages).build();
        }

        private void interrupted(String why) {
            fail(new LlmException("backend_interrupted", "backend " + why + "; the turn was not stored"));
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
                    fail(prefix.isEmpty() ? new LlmException("bad_request", "backend " + b.name() + " refused the request: " + last.message())
                            : new LlmException("backend_interrupted", "backend " + b.name() + " refused to continue a broken answer: "
                            + last.message() + "; the turn was not stored"));
                    return;
                }
                default -> log(b, b.health().failure(last.message()));
            }
            next();
        }

        private void giveUp() {
            if (!prefix.isEmpty()) {
                interrupted("streams broke and no backend could finish the answer"
                        + (last == null ? "" : " (last error: " + last.message() + ")"));
            } else if (last != null && last.kind() == BackendFailure.Kind.BUSY) {
                metrics.overloaded(alias);
                fail(new LlmException("overloaded", "every backend for model '" + alias + "' is busy; try again shortly"));
            } else {
                fail(new LlmException("backend_unavailable", "no backend for model '" + alias + "' could answer"
                        + (last == null ? "" : " (last error: " + last.message() + ")")));
            }
        }

        private void complete(ChatResponse response) {
            if (!done) {
                done = true;
                result.complete(response);
            }
        }

        void fail(Throwable error) {
            if (!done) {
                done = true;
                for (Attempt other : List.copyOf(live)) {
                    other.end(null, new HedgeLost());
                }
                result.fail(error);
            }
        }
    }

    /** Ends the attempt that lost a hedge (or outlived its call): not the backend's fault. */
    private static final class HedgeLost extends CancellationException {
        HedgeLost() {
            super("another attempt answered first");
        }
    }

    /**
     * One try on one backend, bounded as a whole by the backend's {@code timeout} (a Vert.x timer:
     * the transport's idle timeout alone would let a slow-loris body drip forever) and, once output
     * began, by {@code stall-timeout} between tokens. It ends once — answer, error, timeout, stall,
     * cancel or a lost hedge — and gives the backend's slot back at that moment.
     */
    private final class Attempt implements StreamingChatResponseHandler {
        private final PoolCall call;
        private final Backend backend;
        private final ChatRequest request;
        private final boolean hedge;
        private final Exchange exchange = new Exchange();
        private final long started = System.nanoTime();
        /** The text this attempt gave the caller, for a resume. */
        private final StringBuilder text = new StringBuilder();
        private long firstToken;
        private volatile long lastToken;
        private boolean forwarded;
        private boolean ended;
        private long deadline;
        private long stallTimer = -1;
        private long hedgeTimer = -1;
        private Runnable onCancel;

        Attempt(PoolCall call, Backend backend, ChatRequest request, boolean hedge) {
            this.call = call;
            this.backend = backend;
            this.request = request;
            this.hedge = hedge;
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
                backend.client().complete(request, call.tokens != null, exchange, this);
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
                lastToken = System.nanoTime();
                if (firstToken == 0) {
                    firstToken = lastToken;
                    if (!call.claim(this)) {
                        return; // lost the hedge: claim has ended this attempt
                    }
                    watchForStall();
                }
                if (call.tokens == null) {
                    return;
                }
                forwarded = true;
                text.append(partial.text());
            }
            try {
                call.tokens.token(partial.text());
            } catch (RuntimeException e) {
                // the receiver gave up (its client went away): stop paying for tokens nobody reads
                end(null, new CancellationException("token receiver failed: " + e.getMessage()));
            }
        }

        /** One periodic check per attempt, not a timer reset per token: a token costs a field write. */
        private void watchForStall() {
            long limit = spec.stallTimeout().toNanos();
            stallTimer = vertx.setPeriodic(Math.max(10, spec.stallTimeout().toMillis() / 4), id -> {
                if (System.nanoTime() - lastToken > limit) {
                    end(null, new TimeoutException("stalled: no token for " + spec.stallTimeout().toMillis() + " ms"));
                }
            });
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
            if (stallTimer >= 0) {
                vertx.cancelTimer(stallTimer);
            }
            if (hedgeTimer >= 0) {
                vertx.cancelTimer(hedgeTimer);
            }
            if (onCancel != null) {
                call.cancel.forget(onCancel);
            }
            if (error != null) {
                exchange.abort(); // a timeout, cancel, lost hedge or broken stream must not keep the connection
            }
            release(backend);
            if (response != null) {
                if (!call.claim(this)) {
                    call.live.remove(this);
                    return;
                }
                long total = System.nanoTime() - started;
                long ttft = firstToken == 0 ? total : firstToken - started;
                backend.recordTtft(ttft / 1e6);
                metrics.succeeded(backend, ttft, total, response.tokenUsage());
                log(backend, backend.health().success());
                call.answered(this, response);
            } else if (error instanceof HedgeLost) {
                backend.health().neutral();
                call.live.remove(this);
            } else if (error instanceof CancellationException) {
                backend.health().neutral();
                call.live.remove(this);
                call.fail(new LlmException("cancelled", "the completion was cancelled"));
            } else if (forwarded) {
                call.brokeAfterOutput(this, error);
            } else {
                call.failedBeforeOutput(this, error);
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

    /** A backend with room for {@code alias} now, not one of {@code excluded}; null when none (a hedge never waits). */
    private Backend takeNow(String alias, String sessionKey, Set<Backend> excluded) {
        lock.lock();
        try {
            List<Backend> group = healthyGroup(alias, excluded);
            if (group == null) {
                return null;
            }
            List<Backend> ready = ready(group);
            return ready.isEmpty() ? null : take(ready, sessionKey);
        } finally {
            lock.unlock();
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

    /**
     * The backends of {@code group} with room now. Those whose model is known not to be loaded
     * (Ollama's {@code /api/ps}) come only when no warm or unknown one has room: loading a model
     * costs seconds to minutes, waiting for a slot of a warm one rarely does.
     */
    private List<Backend> ready(List<Backend> group) {
        long now = clock.millis();
        List<Backend> ready = new ArrayList<>(group.size());
        List<Backend> cold = null;
        for (Backend b : group) {
            // a DOWN backend is only in a group in panic mode (see panicGroup)
            if (b.hasRoom(now) && (b.health().admits() || b.health().state() == BackendHealth.State.DOWN)) {
                if (b.warmth() == Backend.Warmth.COLD) {
                    (cold == null ? cold = new ArrayList<>(2) : cold).add(b);
                } else {
                    ready.add(b);
                }
            }
        }
        return ready.isEmpty() && cold != null ? cold : ready;
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
