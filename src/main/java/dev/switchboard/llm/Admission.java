package dev.switchboard.llm;

import dev.switchboard.errors.ErrorCode;
import dev.switchboard.config.PoolSpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Who gets a backend slot, and when: a call takes one at once when one is free and nobody waits
 * before it, else it waits in line — first come, first served (a session has one turn at a time,
 * so this is fair across sessions), at most {@code max-queue} waiting, each at most
 * {@code queue-timeout}, then {@code overloaded}. The lock guards the backends' slot counters and
 * the line, never I/O; a waiter is answered on its own event loop.
 */
final class Admission implements AutoCloseable {
    /** Waiters re-check this often, so a backend whose cooldown ended is seen without a release. */
    private static final long RECHECK_MILLIS = 200;

    private final Vertx vertx;
    private final PoolSpec spec;
    private final Routing routing;
    private final BalancingStrategy strategy;
    private final PoolMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final long recheckTimer;

    Admission(Vertx vertx, PoolSpec spec, Routing routing, BalancingStrategy strategy, PoolMetrics metrics) {
        this.vertx = vertx;
        this.spec = spec;
        this.routing = routing;
        this.strategy = strategy;
        this.metrics = metrics;
        this.recheckTimer = vertx.setPeriodic(RECHECK_MILLIS, id -> wakeWaiters());
    }

    @Override
    public void close() {
        vertx.cancelTimer(recheckTimer);
    }

    /** A call waiting in line for a backend; it may take one only when no earlier waiter could take it. */
    private final class Waiter {
        final String alias;
        final String sessionKey;
        final Set<Backend> tried;
        final Consumer<Backend> grant;
        final Consumer<LlmException> refuse;
        final Context context = Vertx.currentContext();
        long timer;

        Waiter(String alias, String sessionKey, Set<Backend> tried, Consumer<Backend> grant, Consumer<LlmException> refuse) {
            this.alias = alias;
            this.sessionKey = sessionKey;
            this.tried = tried;
            this.grant = grant;
            this.refuse = refuse;
        }

        /** Back on the waiter's own event loop: the rest of its call runs there. */
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
     * gets {@code overloaded} when the line is full or the wait passes {@code queue-timeout}, or
     * {@code cancelled}.
     */
    void acquire(String alias, String sessionKey, Set<Backend> tried, Cancellation cancel,
                 Consumer<Backend> grant, Consumer<LlmException> refuse) {
        Backend picked = null;
        Waiter me = null;
        lock.lock();
        try {
            List<Backend> group = routing.usableGroup(alias, tried);
            if (group == null) {
                if (!routing.served(alias)) {
                    refuse.accept(new LlmException(ErrorCode.BACKEND_UNAVAILABLE, "no backend serves model '" + alias + "'"));
                    return;
                }
            } else {
                List<Backend> ready = routing.ready(group);
                if (!ready.isEmpty() && !aWaiterCanGo()) {
                    picked = take(ready, sessionKey);
                } else {
                    if (waiting.size() >= spec.maxQueue()) {
                        metrics.overloaded(alias);
                        refuse.accept(new LlmException(ErrorCode.OVERLOADED, "too many turns are waiting for a backend; try again shortly"));
                        return;
                    }
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
        Waiter waiter = me;
        waiter.timer = vertx.setTimer(spec.queueTimeout().toMillis(), id -> {
            if (withdraw(waiter)) {
                metrics.overloaded(alias);
                waiter.run(() -> refuse.accept(new LlmException(ErrorCode.OVERLOADED,
                        "every backend for model '" + alias + "' is busy; try again shortly")));
            }
        });
        if (cancel != null) {
            cancel.onCancel(() -> {
                if (withdraw(waiter)) {
                    waiter.run(() -> refuse.accept(new LlmException(ErrorCode.CANCELLED, "cancelled while waiting for a backend")));
                }
            });
        }
    }

    /** A backend with room for {@code alias} now, not one of {@code excluded}; null when none (a hedge never waits). */
    Backend takeNow(String alias, String sessionKey, Set<Backend> excluded) {
        lock.lock();
        try {
            List<Backend> group = routing.healthyGroup(alias, excluded);
            if (group == null) {
                return null;
            }
            List<Backend> ready = routing.ready(group);
            return ready.isEmpty() ? null : take(ready, sessionKey);
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back; the first waiter that can use it goes. */
    void release(Backend b) {
        lock.lock();
        try {
            b.released();
        } finally {
            lock.unlock();
        }
        wakeWaiters();
    }

    /** Calls waiting in line now. */
    int waiting() {
        return metrics.queued().get();
    }

    /** Something changed (a slot, a backend's health, a cooldown's end): waiters look again. */
    void wakeWaiters() {
        if (!waiting.isEmpty()) {
            dispatch();
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
                List<Backend> group = routing.usableGroup(w.alias, w.tried);
                Backend b = null;
                if (group != null) {
                    List<Backend> ready = routing.ready(group);
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

    /** FIFO: a newcomer must not take a backend that somebody already waiting could take. Lock held. */
    private boolean aWaiterCanGo() {
        for (Waiter w : waiting) {
            List<Backend> group = routing.usableGroup(w.alias, w.tried);
            if (group != null && !routing.ready(group).isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
