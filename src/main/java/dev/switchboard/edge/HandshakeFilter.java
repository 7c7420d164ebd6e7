package dev.switchboard.edge;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a {@code /chat} upgrade without a valid clientId with HTTP 400 and the reason in the
 * body (and in {@code X-Switchboard-Reason}), before any WebSocket exists. An upgrade check of
 * websockets-next could only set the status, not say why.
 */
@ApplicationScoped
public class HandshakeFilter {
    static final String PATH = "/chat";

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            if (!PATH.equals(rc.request().path())) {
                rc.next();
                return;
            }
            String problem = ClientIds.problem(ClientIds.fromQuery(rc.request().query()));
            if (problem == null) {
                rc.next();
            } else {
                rc.response().setStatusCode(400)
                        .putHeader("Content-Type", "text/plain; charset=utf-8")
                        .putHeader("X-Switchboard-Reason", problem)
                        .end(problem);
            }
        }, 100);
    }
}
