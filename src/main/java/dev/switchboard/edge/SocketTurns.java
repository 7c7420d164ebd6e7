package dev.switchboard.edge;

import dev.switchboard.llm.Cancellation;
import io.smallrye.mutiny.Uni;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The turns of one socket, one after another: the next starts when the one before has ended.
 * A turn is a {@link Uni} on the socket's event loop, so the socket keeps reading frames while it
 * runs and a {@code cancel} reaches the turn it names at once. The queue is bounded; an idle
 * socket holds an empty queue and nothing else.
 */
final class SocketTurns {
    static final int MAX_QUEUED = 16;

    private final ArrayDeque<Supplier<Uni<Void>>> queue = new ArrayDeque<>(2); // most sockets have 0 or 1 waiting
    private final Map<String, Cancellation> byId = new ConcurrentHashMap<>();
    private boolean working;

    /** @return false when too many messages of this socket are waiting already */
    boolean submit(String messageId, Cancellation cancel, Supplier<Uni<Void>> turn) {
        synchronized (this) {
            if (queue.size() >= MAX_QUEUED) {
                return false;
            }
            if (messageId != null) {
                byId.put(messageId, cancel);
            }
            queue.add(() -> turn.get().onTermination().invoke(() -> {
                if (messageId != null) {
                    byId.remove(messageId, cancel);
                }
            }));
            if (working) {
                return true;
            }
            working = true;
        }
        next();
        return true;
    }

    /** @return false when no queued or running turn of this socket has that id */
    boolean cancel(String messageId) {
        Cancellation c = byId.get(messageId);
        if (c == null) {
            return false;
        }
        c.cancel();
        return true;
    }

    /**
     * The socket closed: stop what is queued; a running turn still finishes and is stored.
     *
     * @return how many queued turns will never run
     */
    int closed() {
        synchronized (this) {
            int dropped = queue.size();
            queue.clear();
            return dropped;
        }
    }

    /** True while a turn of this socket runs or waits. */
    synchronized boolean active() {
        return working;
    }

    private void next() {
        Supplier<Uni<Void>> turn;
        synchronized (this) {
            turn = queue.poll();
            if (turn == null) {
                working = false;
                return;
            }
        }
        // a turn reports its own failures; whichever way it ends, the next one goes
        turn.get().subscribe().with(v -> next(), e -> next());
    }
}
