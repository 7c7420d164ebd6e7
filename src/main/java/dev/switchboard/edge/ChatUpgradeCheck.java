package dev.switchboard.edge;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The door of {@code /chat}: runs for every upgrade that reaches the {@link ChatSocket} endpoint,
 * after routing, whatever the path's spelling ({@code /chat/}, {@code //chat}, {@code /%63hat},
 * {@code /chat/.} all route here and are all checked). Refusals are HTTP statuses with the reason
 * in {@code X-Switchboard-Reason}: 503 while draining (nginx passes the handshake on), 400 for a
 * bad clientId, 401 for a missing or bad token, 429 for an address opening sessions too fast.
 * {@link ChatSocket#onOpen} checks the clientId and token again, so no socket can exist without
 * this having said yes.
 */
@Singleton
public class ChatUpgradeCheck implements HttpUpgradeCheck {
    static final String REASON = "X-Switchboard-Reason";

    private final SocketAuth auth;
    private final Drain drain;
    private final RateLimits limits;

    public ChatUpgradeCheck(SocketAuth auth, Drain drain, RateLimits limits) {
        this.auth = auth;
        this.drain = drain;
        this.limits = limits;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return ChatSocket.ENDPOINT_ID.equals(endpointId);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return Uni.createFrom().item(check(context.httpRequest()));
    }

    CheckResult check(HttpServerRequest request) {
        if (drain.draining()) {
            return refuse(503, "draining"); // nginx's proxy_next_upstream http_503 tries another replica
        }
        String query = request.query();
        String clientId = ClientIds.fromQuery(query);
        String problem = ClientIds.problem(clientId);
        if (problem != null) {
            return refuse(400, problem);
        }
        SocketAuth.Verdict verdict = auth.judge(clientId, ClientIds.param(query, "token"), Instant.now());
        if (verdict.verified()) {
            return CheckResult.permitUpgradeSync(); // a key holder: limited per session only
        }
        // Counted before a bad token is refused, so guessing tokens costs the same as opening sessions.
        if (!limits.handshake(limits.address(request))) {
            return refuse(429, "too many new connections from your address; retry in a few seconds");
        }
        return verdict.problem() == null ? CheckResult.permitUpgradeSync() : refuse(401, verdict.problem());
    }

    private static CheckResult refuse(int status, String reason) {
        return CheckResult.rejectUpgradeSync(status, Map.of(REASON, List.of(reason)));
    }
}
