package dev.switchboard.edge;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;

/**
 * Refuses a {@code /chat} upgrade without a valid clientId with HTTP 400 and the reason in the
 * body (and in {@code X-Switchboard-Reason}), before any WebSocket exists. An upgrade check of
 * websockets-next could only set the status, not say why. A session that needs a token
 * ({@link SocketAuth}) and has no valid one is refused the same way, with 401.
 */
@ApplicationScoped
public class HandshakeFilter {
    static final String PATH = "/chat";

    private final SocketAuth auth;
    private final Drain drain;

    public HandshakeFilter(SocketAuth auth, Drain drain) {
        this.auth = auth;
        this.drain = drain;
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            if (!PATH.equals(rc.request().path())) {
                rc.next();
                return;
            }
            if (drain.draining()) {
                // nginx's proxy_next_upstream http_503 sends the handshake to another replica
                rc.response().setStatusCode(503).putHeader("X-Switchboard-Reason", "draining").end("this replica is shutting down");
                return;
            }
            String query = rc.request().query();
            String clientId = ClientIds.fromQuery(query);
            String problem = ClientIds.problem(clientId);
            int status = 400;
            if (problem == null) {
                problem = auth.problem(clientId, ClientIds.param(query, "token"), Instant.now());
                status = 401;
            }
            if (problem == null) {
                rc.next();
            } else {
                rc.response().setStatusCode(status)
                        .putHeader("Content-Type", "text/plain; charset=utf-8")
                        .putHeader("X-Switchboard-Reason", problem)
                        .end(problem);
            }
        }, 100);
    }
}
