package dev.switchboard.edge;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/** Small things done to a socket from several places. */
final class Sockets {
    private Sockets() {
    }

    /** Closes without waiting: a close that fails means the socket is gone already, which is what we want. */
    static void close(WebSocketConnection connection, CloseReason reason) {
        connection.close(reason).subscribe().with(v -> { }, e -> { });
    }
}
