package dev.switchboard.edge;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.HandshakeRequest;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Who may hold a socket, judged when it opens and released when it closes: the clientId and
 * token once more (the upgrade check ran for this path already; this holds however the upgrade
 * got here), the sockets-per-clientId bound, and the sockets-per-address bound for sockets
 * without a verified token (a verified token is a trusted front end, such as the Telegram bridge).
 */
final class SocketGate {
    private static final Logger LOG = Logger.getLogger(SocketGate.class);

    /** Either the new socket's state, or why it is closed at once. */
    record Opening(SocketState state, CloseReason refusal) {
    }

    private final SocketAuth auth;
    private final RateLimits limits;
    private final ClientAddress addresses;

    SocketGate(SocketAuth auth, RateLimits limits, ClientAddress addresses) {
        this.auth = auth;
        this.limits = limits;
        this.addresses = addresses;
    }

    Opening open(HandshakeRequest handshake) {
        String query = handshake.query();
        String clientId = ClientIds.fromQuery(query);
        SocketAuth.Verdict verdict = ClientIds.problem(clientId) != null ? null
                : auth.judge(clientId, ClientIds.param(query, "token"), Instant.now());
        if (verdict == null || verdict.problem() != null) {
            LOG.warnf("a socket for an unchecked session was refused at open (clientId %s)", verdict == null ? "invalid" : clientId);
            return refused(1008, "not allowed");
        }
        if (!limits.socketOpened(clientId)) {
            return refused(1008, "too many sockets for this clientId");
        }
        String ip = null;
        if (!verdict.verified()) {
            ip = addresses.of(handshake);
            if (!limits.addressSocketOpened(ip)) {
                limits.socketClosed(clientId);
                return refused(1008, "too many sockets from your address");
            }
        }
        return new Opening(new SocketState(clientId, ip), null);
    }

    void closed(SocketState state) {
        limits.socketClosed(state.clientId);
        if (state.ip != null) {
            limits.addressSocketClosed(state.ip);
        }
    }

    private static Opening refused(int code, String reason) {
        return new Opening(null, new CloseReason(code, reason));
    }
}
