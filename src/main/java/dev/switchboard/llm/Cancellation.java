package dev.switchboard.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets the caller of a completion stop it: the wait ends at once and, when the backend is
 * streaming, the HTTP stream is closed. Thread-safe; cancelling twice is harmless.
 */
public final class Cancellation {
    private final List<Runnable> hooks = new ArrayList<>();
    private boolean cancelled;

    public void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(hooks);
            hooks.clear();
        }
        run.forEach(Runnable::run);
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Drops a hook that is no longer wanted (its call ended). */
    synchronized void forget(Runnable hook) {
        hooks.remove(hook);
    }

    /** Runs {@code hook} on cancel, or at once when already cancelled. */
    void onCancel(Runnable hook) {
        synchronized (this) {
            if (!cancelled) {
                hooks.add(hook);
                return;
            }
        }
        hook.run();
    }
}
