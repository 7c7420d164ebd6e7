package dev.switchboard.edge;

import dev.switchboard.config.SwarmSpec;
import dev.switchboard.config.SwitchboardConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;


/**
 * Closes sockets idle longer than the swarm's {@code idle-timeout} (normal closure, reason
 * "idle timeout"); their sessions stay in Redis and a reconnect resumes them. One periodic sweep
 * instead of a timer per socket keeps an idle socket cheap.
 */
@ApplicationScoped
public class IdleSockets {
    private final OpenConnections connections;
    private final long idleMillis;
    private final long sweepMillis;
    private final RateLimits limits;

    public IdleSockets(OpenConnections connections, SwarmSpec swarm, SwitchboardConfig config, RateLimits limits,
                       io.micrometer.core.instrument.MeterRegistry registry) {
        this.connections = connections;
        // counted when scraped, not kept per socket: the open sockets of this replica's /chat endpoint
        io.micrometer.core.instrument.Gauge.builder("switchboard.sockets.open", connections, c -> c.listAll().size())
                .description("WebSockets open on this replica").register(registry);
        this.limits = limits;
        this.idleMillis = swarm.swarm().idleTimeout().toMillis();
        this.sweepMillis = Math.max(100, Math.min(config.edge().idleSweepInterval().toMillis(), idleMillis / 2));
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        vertx.setPeriodic(sweepMillis, id -> sweep());
    }

    void sweep() {
        limits.sweep();
        long now = System.currentTimeMillis();
        for (WebSocketConnection c : connections) {
            SocketState state = c.userData().get(ChatSocket.STATE);
            if (state != null && now - state.lastActive() > idleMillis && c.isOpen()) {
                Sockets.close(c, new CloseReason(1000, "idle timeout"));
            }
        }
    }
}
