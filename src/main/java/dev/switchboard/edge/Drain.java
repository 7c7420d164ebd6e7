package dev.switchboard.edge;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.session.SessionStore;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful drain on SIGTERM: readiness goes down and new handshakes get 503 (nginx passes them to
 * another replica), running turns finish (bounded by {@code sb.edge.drain-timeout}) and are
 * stored, then every socket is closed with 1001 "going away", so clients reconnect elsewhere
 * and go on with the whole session.
 */
@Singleton
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    static final CloseReason GOING_AWAY = new CloseReason(1001, "server going away; reconnect");

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    private final OpenConnections connections;
    private final SwitchboardConfig config;
    private final SessionStore store;

    public Drain(OpenConnections connections, SwitchboardConfig config, SessionStore store) {
        this.store = store;
        this.connections = connections;
        this.config = config;
    }

    boolean draining() {
        return draining.get();
    }

    /**
     * Counts a turn from the moment its message is accepted (not when it starts running), so a
     * drain that begins while it waits in its socket's queue still waits for it. Counting first
     * and checking the flag second closes the race with {@link #onShutdown}, which sets the flag
     * first and counts second.
     *
     * @return false while draining: the message must not be run here
     */
    boolean admit() {
        running.incrementAndGet();
        if (draining.get()) {
            running.decrementAndGet();
            return false;
        }
        return true;
    }

    /** An admitted turn ended, failed or was dropped from a closed socket's queue. */
    void turnEnded() {
        if (running.decrementAndGet() == 0 && draining.get()) {
            synchronized (this) {
                notifyAll(); // the drain waits for exactly this
            }
        }
    }

    int running() {
        return running.get();
    }

    /** Readiness is down while draining, so load balancers that probe stop sending sockets here. */
    @Readiness
    @ApplicationScoped
    public static class Check implements HealthCheck {
        private final Drain drain;

        public Check(Drain drain) {
            this.drain = drain;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("drain").status(!drain.draining()).withData("running turns", drain.running()).build();
        }
    }

    // Fired while the HTTP server still serves (quarkus.shutdown.delay-enabled): by ShutdownEvent the
    // sockets are gone already, and a running turn could not deliver its answer.
    void onShutdown(@Observes @Priority(1) ShutdownDelayInitiatedEvent event) {
        draining.set(true);
        long deadline = System.nanoTime() + config.edge().drainTimeout().toNanos();
        LOG.infof("draining: %d turns running, %d sockets open", running.get(), connections.listAll().size());
        awaitNoTurns(deadline);
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (WebSocketConnection c : connections.listAll()) {
            if (c.isOpen()) {
                closes.add(c.close(GOING_AWAY).subscribeAsCompletionStage().exceptionally(e -> null));
            }
        }
        int closed = closes.size();
        if (running.get() > 0) {
            // hand the sessions of turns that did not finish over: their resends run elsewhere at once
            store.releaseAll();
        }
        LOG.infof("drained: %d turns still running, %d sockets closed with 1001", running.get(), closed);
        try {
            // the close frames leave before the server stops (a client that never answers its close
            // costs at most this bound)
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debugf("not every close frame was acknowledged: %s", e.getMessage());
        }
    }

    /** Waits until no admitted turn runs, woken by {@link #turnEnded}, at most until {@code deadline}. */
    private synchronized void awaitNoTurns(long deadline) {
        long left;
        while (running.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
