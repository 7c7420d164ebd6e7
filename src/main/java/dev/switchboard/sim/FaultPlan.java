package dev.switchboard.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The fault injected into a simulator, and how many of the next completion requests it still applies to. */
final class FaultPlan {
    private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NONE);
    private final AtomicInteger left = new AtomicInteger();

    /** Applies {@code f} to the next {@code f.count()} completion requests (all of them when negative). */
    void inject(Fault f) {
        left.set(f.count());
        fault.set(f);
    }

    Fault current() {
        return fault.get();
    }

    /** The fault of one completion request: counted down, gone when used up. */
    Fault take() {
        Fault f = fault.get();
        if ("none".equals(f.mode())) {
            return f;
        }
        int n = left.getAndDecrement();
        if (n < 0) {
            left.set(-1); // negative: every request, for good
            return f;
        }
        if (n == 0) {
            fault.set(Fault.NONE);
            return Fault.NONE;
        }
        if (n == 1) {
            fault.set(Fault.NONE);
        }
        return f;
    }
}
