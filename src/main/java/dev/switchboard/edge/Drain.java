package dev.switchboard.edge;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.session.SessionStore;
import dev.switchboard.swarm.TurnAdmission;
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

/**
 * Graceful drain on SIGTERM: readiness goes down and new handshakes get 503 (nginx passes them to
 * another replica), the turns {@link TurnAdmission} admitted — from sockets and from the Telegram
 * webhook alike — finish (bounded by {@code sb.edge.drain-timeout}) and are stored, then every
 * socket is closed with 1001 "going away", so clients reconnect elsewhere and go on with the whole
 * session.
 */
@Singleton
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    static final CloseReason GOING_AWAY = new CloseReason(1001, "server going away; reconnect");

    private final TurnAdmission admission;
    private final OpenConnections connections;
    private final SwitchboardConfig config;
    private final SessionStore store;

    public Drain(TurnAdmission admission, OpenConnections connections, SwitchboardConfig config, SessionStore store) {
        this.admission = admission;
        this.store = store;
        this.connections = connections;
        this.config = config;
    }

    boolean draining() {
        return admission.draining();
    }

    int running() {
        return admission.running();
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
        admission.drain();
        long deadline = System.nanoTime() + config.edge().drainTimeout().toNanos();
        LOG.infof("draining: %d turns running, %d sockets open", admission.running(), connections.listAll().size());
        admission.awaitIdle(deadline);
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (WebSocketConnection c : connections.listAll()) {
            if (c.isOpen()) {
                closes.add(c.close(GOING_AWAY).subscribeAsCompletionStage().exceptionally(e -> null));
            }
        }
        int closed = closes.size();
        if (admission.running() > 0) {
            // hand the sessions of turns that did not finish over: their resends run elsewhere at once
            store.releaseAll();
        }
        LOG.infof("drained: %d turns still running, %d sockets closed with 1001", admission.running(), closed);
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
}
