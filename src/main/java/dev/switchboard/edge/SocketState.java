package dev.switchboard.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What Switchboard keeps for one open socket, in one object under one userData key: an idle
 * socket is mostly what Netty and Vert.x keep (about 9 KB), so ours should stay small (five
 * separate userData entries cost 160 bytes more, measured with a class histogram).
 */
final class SocketState {
    final String clientId;
    /** The client's address as nginx saw it (X-Real-IP), for the per-address rate limit; null for a verified token. */
    final String ip;
    final SocketTurns turns = new SocketTurns();
    /** Token frame bytes handed to the socket and not yet written: a client that stops reading grows it. */
    final AtomicLong pendingBytes = new AtomicLong();
    private volatile long lastActive = System.currentTimeMillis();

    SocketState(String clientId, String ip) {
        this.clientId = clientId;
        this.ip = ip;
    }

    void touch() {
        lastActive = System.currentTimeMillis();
    }

    long lastActive() {
        return lastActive;
    }
}
