package dev.switchboard.llm;

import java.util.function.Supplier;

/**
 * How to stop one streaming exchange, learned while it starts. The pool makes one current on its
 * thread around the LangChain4j call, {@link AbortableHttpClient} registers what stopping takes,
 * and the pool calls {@link #abort} on a timeout or a cancel. Actions registered after the abort
 * run at once (a {@link Cancellation} keeps them).
 */
final class StreamAbort {
    private static final ThreadLocal<StreamAbort> CURRENT = new ThreadLocal<>();

    private final Cancellation actions = new Cancellation();

    static StreamAbort current() {
        return CURRENT.get();
    }

    /** Runs {@code call} with this abort current on the calling thread. */
    <T> T around(Supplier<T> call) {
        CURRENT.set(this);
        try {
            return call.get();
        } finally {
            CURRENT.remove();
        }
    }

    void onAbort(Runnable action) {
        actions.onCancel(action);
    }

    void abort() {
        actions.cancel();
    }
}
