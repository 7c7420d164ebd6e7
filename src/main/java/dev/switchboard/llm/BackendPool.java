package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 *   <li>retries on another backend after a connect error, timeout, 5xx or 429 that came before any output,
 *       up to {@code retries} times; a failure after output is {@code backend_interrupted}.</li>
 * </ol>
 * Blocking: call it from a virtual thread.
 */
public final class BackendPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackendPool.class);
    /** Waiters re-check this often, so a backend whose cooldown ended is seen without a release. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** One timer thread for every blocking call's deadline; cancelled deadlines leave its queue at once. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final List<Backend> backends;
    private final PoolSpec spec;
    private final BalancingStrategy strategy;
    private final Clock clock;
    private final PoolMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private HealthProber prober;

    /** A turn waiting for a backend; it may take one only when no earlier waiter could take it. */
    private record Waiter(String alias, Set<Backend> tried) {
    }

    public BackendPool(List<BackendSpec> specs, PoolSpec spec, MeterRegistry registry) {
        this(specs, spec, BalancingStrategy.of(spec), Clock.systemUTC(), registry, ChatModels::create, ChatModels::createStreaming);
    }

    BackendPool(List<BackendSpec> specs, PoolSpec spec, BalancingStrategy strategy, Clock clock, MeterRegistry registry,
                Function<BackendSpec, ChatModel> models, Function<BackendSpec, StreamingChatModel> streamingModels) {
        this.spec = spec;
        this.strategy = strategy;
        this.clock = clock;
        this.backends = specs.stream()
                .map(s -> new Backend(s, models.apply(s), streamingModels.apply(s),
                        new BackendHealth(spec.maxFails(), spec.failTimeout(), clock)))
                .toList();
        this.metrics = new PoolMetrics(registry, backends);
    }

    public List<Backend> backends() {
        return backends;
    }

    public PoolSpec spec() {
        return spec;
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
        if (prober != null) {
            prober.close();
            prober = null;
        }
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
    public ChatResponse chat(String alias, String sessionKey, ChatRequest request) {
        return chat(alias, sessionKey, request, null, null);
    }

    /**
     * One completion for {@code alias}.
     *
     * @param tokens when not null the backend streams and every piece of text goes here as it arrives
     * @param cancel when not null, cancelling it stops the wait and closes the backend's stream
     * @throws LlmException {@code overloaded} when no backend had room in time, {@code backend_unavailable}
     *                      when every try failed, {@code backend_interrupted} when a stream broke after output,
     *                      {@code bad_request} when a backend refused the request itself, {@code cancelled}
     */
    public ChatResponse chat(String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel) {
        Set<Backend> tried = new HashSet<>();
        BackendFailure last = null;
        for (int attempt = 0; attempt <= spec.retries(); attempt++) {
            Backend b = acquire(alias, sessionKey, tried);
            if (b == null) {
                break; // every usable backend of the alias and its fallbacks was tried
            }
            long t0 = System.nanoTime();
            AtomicLong firstToken = new AtomicLong();
            try {
                ChatResponse response = tokens == null
                        ? blocking(b, request, cancel)
                        : stream(b, request, tokens, cancel, firstToken);
                long total = System.nanoTime() - t0;
                long ttft = firstToken.get() == 0 ? total : firstToken.get() - t0;
                b.recordTtft(ttft / 1e6);
                metrics.succeeded(b, ttft, total, response.tokenUsage());
                log(b, b.health().success());
                return response;
            } catch (CancellationException e) {
                b.health().neutral();
                throw new LlmException("cancelled", "the completion was cancelled");
            } catch (MidStreamFailure e) {
                BackendFailure f = BackendFailure.classify(e.getCause());
                metrics.failed(b, f.kind());
                log(b, b.health().failure(f.message()));
                throw new LlmException("backend_interrupted", "backend " + b.name() + " failed after it began to answer ("
                        + f.message() + "); the turn was not stored");
            } catch (RuntimeException e) {
                last = BackendFailure.classify(e);
                tried.add(b);
                metrics.failed(b, last.kind());
                LOG.debugf("backend=%s attempt=%d failed: %s", b.name(), attempt + 1, last.message());
                switch (last.kind()) {
                    case BUSY -> {
                        b.busy(clock.millis());
                        b.health().neutral();
                    }
                    case REQUEST -> {
                        b.health().neutral();
                        throw new LlmException("bad_request", "backend " + b.name() + " refused the request: " + last.message());
                    }
                    default -> log(b, b.health().failure(last.message()));
                }
            } finally {
                release(b);
            }
        }
        if (last != null && last.kind() == BackendFailure.Kind.BUSY) {
            metrics.overloaded(alias);
            throw new LlmException("overloaded", "every backend for model '" + alias + "' is busy; try again shortly");
        }
        throw new LlmException("backend_unavailable", "no backend for model '" + alias + "' could answer"
                + (last == null ? "" : " (last error: " + last.message() + ")"));
    }

    /**
     * One blocking call, bounded as a whole by the backend's {@code timeout}. The JDK HTTP client's
     * own timeout ends when the response headers arrive, so a backend that sends a 200 and then
     * drips its body (a slow loris) would hold the turn forever: a deadline interrupts the calling
     * (virtual) thread instead, as a cancel does, which makes the client abandon the exchange and
     * close its connection.
     */
    private ChatResponse blocking(Backend b, ChatRequest request, Cancellation cancel) {
        CallGuard guard = new CallGuard(Thread.currentThread());
        ScheduledFuture<?> deadline = DEADLINES.schedule(guard::expire, b.spec().timeout().toMillis(), TimeUnit.MILLISECONDS);
        Runnable interrupt = guard::interrupt;
        if (cancel != null) {
            cancel.onCancel(interrupt);
        }
        try {
            return b.model().chat(request);
        } catch (RuntimeException e) {
            if (cancel != null && cancel.isCancelled()) {
                throw new CancellationException("cancelled");
            }
            if (guard.expired()) {
                throw new RuntimeException(new HttpTimeoutException(
                        "no complete answer within " + b.spec().timeout().toMillis() + " ms"));
            }
            throw e;
        } finally {
            deadline.cancel(false);
            if (cancel != null) {
                cancel.forget(interrupt);
            }
            guard.leave();
            Thread.interrupted(); // any interrupt was for the HTTP call only
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("llm-deadlines").daemon().factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Interrupts a caller blocked in a backend call, but never after it has left the call. */
    private static final class CallGuard {
        private final Thread caller;
        private boolean left;
        private boolean expired;

        CallGuard(Thread caller) {
            this.caller = caller;
        }

        synchronized void interrupt() {
            if (!left) {
                caller.interrupt();
            }
        }

        synchronized void expire() {
            if (!left) {
                expired = true;
                caller.interrupt();
            }
        }

        synchronized boolean expired() {
            return expired;
        }

        synchronized void leave() {
            left = true;
        }
    }

    /** Streams from {@code b}, blocking until the whole answer is in. */
    private ChatResponse stream(Backend b, ChatRequest request, TokenSink tokens, Cancellation cancel, AtomicLong firstToken) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AtomicBoolean started = new AtomicBoolean();
        StreamAbort abort = new StreamAbort();
        if (cancel != null) {
            cancel.onCancel(() -> {
                done.completeExceptionally(new CancellationException());
                abort.abort();
            });
        }
        StreamingChatResponseHandler handler = new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                if (done.isDone()) {
                    return; // cancelled or timed out: the abort is closing the exchange
                }
                if (started.compareAndSet(false, true)) {
                    firstToken.set(System.nanoTime());
                }
                try {
                    tokens.token(partial.text());
                } catch (RuntimeException e) {
                    // the receiver gave up (its client went away): stop paying for tokens nobody reads
                    done.completeExceptionally(new CancellationException("token receiver failed: " + e.getMessage()));
                    abort.abort();
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        };
        abort.around(() -> {
            b.streamingModel().chat(request, handler);
            return null;
        });
        try {
            return done.get(b.spec().timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort.abort();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CancellationException c) {
                throw c;
            }
            if (started.get()) {
                throw new MidStreamFailure(cause);
            }
            throw cause instanceof RuntimeException r ? r : new RuntimeException(cause);
        } catch (TimeoutException e) {
            done.completeExceptionally(e);
            abort.abort(); // a hung or dripping backend: close the exchange, or it holds a connection and a thread
            if (started.get()) {
                throw new MidStreamFailure(e);
            }
            throw new RuntimeException(e);
        }
    }

    /** A backend failed after it had sent text: not retried, the client saw part of an answer. */
    private static final class MidStreamFailure extends RuntimeException {
        MidStreamFailure(Throwable cause) {
            super(cause);
        }
    }

    /** A backend with room for {@code alias}, or null when none is left to try; waits in line up to the queue timeout. */
    private Backend acquire(String alias, String sessionKey, Set<Backend> tried) {
        long deadline = System.nanoTime() + spec.queueTimeout().toNanos();
        Waiter me = null;
        lock.lock();
        try {
            while (true) {
                List<Backend> group = usableGroup(alias, tried);
                if (group == null) {
                    if (backends.stream().noneMatch(b -> b.serves(alias))) {
                        throw new LlmException("backend_unavailable", "no backend serves model '" + alias + "'");
                    }
                    return null;
                }
                List<Backend> ready = ready(group);
                if (!ready.isEmpty() && !anEarlierWaiterCanGo(me)) {
                    Backend b = strategy.pick(ready, sessionKey);
                    b.health().sending();
                    b.acquired();
                    return b;
                }
                if (me == null) {
                    if (waiting.size() >= spec.maxQueue()) {
                        metrics.overloaded(alias);
                        throw new LlmException("overloaded", "too many turns are waiting for a backend; try again shortly");
                    }
                    me = new Waiter(alias, tried);
                    waiting.add(me);
                    metrics.queued().incrementAndGet();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    metrics.overloaded(alias);
                    throw new LlmException("overloaded", "every backend for model '" + alias + "' is busy; try again shortly");
                }
                changed.awaitNanos(Math.min(left, RECHECK_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException("cancelled", "interrupted while waiting for a backend");
        } finally {
            if (me != null) {
                waiting.remove(me);
                metrics.queued().decrementAndGet();
                changed.signalAll(); // the next in line may go now
            }
            lock.unlock();
        }
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

    /** FIFO: a newcomer or a later waiter must not take a backend an earlier waiter could take. */
    private boolean anEarlierWaiterCanGo(Waiter me) {
        for (Waiter w : waiting) {
            if (w == me) {
                return false;
            }
            List<Backend> group = usableGroup(w.alias(), w.tried());
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
            changed.signalAll(); // waiters may want different aliases
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
