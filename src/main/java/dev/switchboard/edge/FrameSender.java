package dev.switchboard.edge;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames out to a socket, encoded once, never awaited: a turn's thread does not wait for the
 * client's reads. Token frames are counted while unwritten, and a client that lets them pile up
 * past {@code sb.edge.max-pending-bytes} is closed (1008) rather than grow the replica's memory.
 */
final class FrameSender {
    private static final Logger LOG = Logger.getLogger(FrameSender.class);

    private final FrameCodec codec;
    private final int maxPendingBytes;

    FrameSender(FrameCodec codec, int maxPendingBytes) {
        this.codec = codec;
        this.maxPendingBytes = maxPendingBytes;
    }

    /**
     * Tokens are not awaited one by one (that would tie the backend's pace to the client's); the
     * bytes not yet written are counted instead, and a client that lets them pile up past
     * {@code max-pending-bytes} is closed. The turn goes on and is stored either way.
     */
    void token(WebSocketConnection connection, Outbound.Token token) {
        SocketState state = connection.userData().get(ChatSocket.STATE);
        if (!connection.isOpen() || state == null) {
            return;
        }
        AtomicLong pending = state.pendingBytes;
        String text = codec.encode(token);
        long size = text.getBytes(StandardCharsets.UTF_8).length;
        if (pending.addAndGet(size) > maxPendingBytes) {
            LOG.infof("closing the socket of %s: %d bytes of token frames unread", state.clientId, pending.get());
            Sockets.close(connection, new CloseReason(1008, "client too slow: token frames unread; fetch the answer with history"));
            return;
        }
        connection.sendText(text).subscribe().with(v -> pending.addAndGet(-size), e -> pending.addAndGet(-size));
    }

    void send(WebSocketConnection connection, Object frame) {
        if (!connection.isOpen()) {
            return;
        }
        // Not awaited: waiting for the write would cost the turn's thread a second hand-off with the
        // event loop per frame, and frames of one socket keep their order anyway. A frame that cannot
        // be delivered (the client went away) is only logged: its turn is stored, "history" fetches it.
        connection.sendText(codec.encode(frame)).subscribe().with(v -> { },
                e -> LOG.debugf("frame not delivered to %s: %s", connection.id(), e.getMessage()));
    }
}
