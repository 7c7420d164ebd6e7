package dev.switchboard.edge;

import dev.switchboard.llm.Cancellation;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The turns of one socket, run one after another on a virtual thread of their own, so the socket
 * keeps reading frames while a turn runs: a {@code cancel} reaches the turn it names at once.
 * The queue is bounded; there is no thread while nothing is queued (idle sockets cost no thread).
 */
final class SocketTurns {
    static final int MAX_QUEUED = 16;

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>(2); // most sockets have 0 or 1 waiting
    private final Map<String, Cancellation> byId = new ConcurrentHashMap<>();
    private boolean working;

    /** @return false when too many messages of this socket are waiting already */
    boolean submit(String messageId, Cancellation cancel, Runnable turn) {
        synchronized (this) {
            if (queue.size() >= MAX_QUEUED) {
                return false;
            }
            if (messageId != null) {
                byId.put(messageId, cancel);
            }
            queue.add(() -> {
                try {
                    turn.run();
                } finally {
                    if (messageId != null) {
                        byId.remove(messageId, cancel);
                    }
                }
            });
            if (working) {
                return true;
            }
            working = true;
        }
        Thread.ofVirtual().name("turns").start(this::drain);
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

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    working = false;
                    return;
                }
            }
            next.run();
        }
    }
}
