package dev.switchboard.llm;

import java.time.Clock;
import java.time.Duration;

/**
 * Passive health as nginx does it: {@code maxFails} failures within {@code failTimeout} take a
 * backend out for {@code failTimeout}; after that it gets traffic again and one success clears it.
 */
final class PassiveHealth {
    private final int maxFails;
    private final long windowMillis;
    private final Clock clock;
    private int fails;
    private long firstFailAt;
    private long downUntil;

    PassiveHealth(int maxFails, Duration failTimeout, Clock clock) {
        this.maxFails = maxFails;
        this.windowMillis = failTimeout.toMillis();
        this.clock = clock;
    }

    synchronized boolean available() {
        return clock.millis() >= downUntil;
    }

    synchronized void success() {
        fails = 0;
    }

    /** @return true when this failure took the backend out */
    synchronized boolean failure() {
        long now = clock.millis();
        if (fails == 0 || now - firstFailAt > windowMillis) {
            fails = 0;
            firstFailAt = now;
        }
        if (++fails >= maxFails) {
            fails = 0;
            downUntil = now + windowMillis;
            return true;
        }
        return false;
    }
}
