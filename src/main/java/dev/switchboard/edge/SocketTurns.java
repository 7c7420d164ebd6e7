package dev.switchboard.edge;

import dev.switchboard.llm.Cancellation;
import dev.switchboard.swarm.TurnAdmission;
import io.smallrye.mutiny.Uni;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The turns of one socket, one after another: the next starts when the one before has ended.
 * A turn is a {@link Uni} on the socket's event loop, so the socket keeps reading frames while it
 * runs and a {@code cancel} reaches the turn it names at once. The queue is bounded; an idle
 * socket holds an empty queue and nothing else.
 */
final class SocketTurns {
    static final int MAX_QUEUED = 16;

    /** A queued turn and its admission: a turn dropped from the queue ends its ticket unrun. */
    private record Queued(TurnAdmission.Ticket ticket, Supplier<Uni<Void>> turn) {
    }

    private final ArrayDeque<Queued> queue = new ArrayDeque<>(2); // most sockets have 0 or 1 waiting
    private final Map<String, Cancellation> byId = new ConcurrentHashMap<>();
    private boolean working;

    /**
     * Queues a turn. Its cancel handle is made and kept here, the one owner: a {@code cancel} frame
     * finds it by message id, and the turn gets it to pass on (the swarm checks it, the pool hooks
     * the backend's request to it).
     *
     * @return false when too many messages of this socket are waiting already (the caller ends the ticket)
     */
    boolean submit(String messageId, TurnAdmission.Ticket ticket, Function<Cancellation, Uni<Void>> turn) {
        Cancellation cancel = new Cancellation();
        synchronized (this) {
            if (queue.size() >= MAX_QUEUED) {
                return false;
            }
            if (messageId != null) {
                byId.put(messageId, cancel);
            }
            queue.add(new Queued(ticket, () -> turn.apply(cancel).onTermination().invoke(() -> {
                if (messageId != null) {
                    byId.remove(messageId, cancel);
                }
            })));
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

    /** The socket closed: what is queued will never run (its tickets end); a running turn still finishes and is stored. */
    void closed() {
        List<Queued> dropped;
        synchronized (this) {
            dropped = List.copyOf(queue);
            queue.clear();
        }
        dropped.forEach(q -> q.ticket().end());
    }

    /** True while a turn of this socket runs or waits. */
    synchronized boolean active() {
        return working;
    }

    private void next() {
        Queued q;
        synchronized (this) {
            q = queue.poll();
            if (q == null) {
                working = false;
                return;
            }
        }
        // a turn reports its own failures; whichever way it ends, the next one goes
        q.turn().get().subscribe().with(v -> next(), e -> next());
    }
}
