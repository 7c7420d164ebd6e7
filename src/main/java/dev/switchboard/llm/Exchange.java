package dev.switchboard.llm;

import io.vertx.core.http.HttpClientRequest;

/**
 * One HTTP exchange with a backend, and the way to stop it: {@link #abort} resets the request
 * (before the headers it is never sent; after, its connection is closed), so a cancelled turn, a
 * hung backend or a slow-loris body stops costing a connection at once.
 *
 * <p>LangChain4j's streaming models give no handle on the request they send, so the pool opens an
 * exchange around the (synchronous) {@code model.chat(request, handler)} call and the transport
 * picks it up from the calling thread — the event loop — when it creates the request. A cancel
 * may come from another thread (a test, a blocking tool), hence the locks: uncontended, they cost
 * next to nothing.
 */
final class Exchange {
    private static final ThreadLocal<Exchange> OPENING = new ThreadLocal<>();

    private HttpClientRequest request;
    /** The W3C {@code traceparent} of the try this exchange carries, sent to the backend; null when untraced. */
    volatile String traceparent;
    private boolean aborted;
    private Runnable onEnd;
    private boolean ended;

    /** Runs {@code start} with this exchange visible to the transport it calls into. */
    void open(Runnable start) {
        Exchange outer = OPENING.get();
        OPENING.set(this);
        try {
            start.run();
        } finally {
            OPENING.set(outer);
        }
    }

    /** The exchange being opened on this thread, or a fresh one nobody will abort. */
    static Exchange opening() {
        Exchange current = OPENING.get();
        return current != null ? current : new Exchange();
    }

    /** The transport has its request: aborts it now when the exchange was aborted first. */
    boolean attach(HttpClientRequest request) {
        synchronized (this) {
            this.request = request;
            if (!aborted) {
                return true;
            }
        }
        request.reset();
        return false;
    }

    /**
     * Runs {@code action} once the transport has delivered the stream's end (its close or its error)
     * to LangChain4j. A stream that a backend cut off cleanly (a complete HTTP response without the
     * format's last message, such as Ollama's {@code done: true}) ends without LangChain4j calling
     * its handler at all; this is how the pool learns of it at once instead of at its timeout.
     */
    void onEnd(Runnable action) {
        boolean now;
        synchronized (this) {
            onEnd = action;
            now = ended;
        }
        if (now) {
            action.run();
        }
    }

    /** The transport has delivered the stream's end. */
    void ended() {
        Runnable action;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            action = onEnd;
        }
        if (action != null) {
            action.run();
        }
    }

    synchronized boolean aborted() {
        return aborted;
    }

    void abort() {
        HttpClientRequest sent;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            sent = request;
        }
        if (sent != null) {
            sent.reset();
        }
    }
}
