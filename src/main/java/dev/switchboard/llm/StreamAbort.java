package dev.switchboard.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How to stop one streaming exchange, learned while it starts. The pool makes one current on its
 * thread around the LangChain4j call, {@link AbortableHttpClient} registers what stopping takes,
 * and the pool calls {@link #abort} on a timeout or a cancel. Actions registered after the abort
 * run at once.
 */
final class StreamAbort {
    private static final ThreadLocal<StreamAbort> CURRENT = new ThreadLocal<>();

    private final List<Runnable> actions = new ArrayList<>();
    private boolean aborted;

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
        synchronized (this) {
            if (!aborted) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }

    void abort() {
        List<Runnable> toRun;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            toRun = List.copyOf(actions);
            actions.clear();
        }
        toRun.forEach(Runnable::run);
    }
}
