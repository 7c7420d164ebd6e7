package dev.switchboard.llm;

import java.time.Clock;
import java.time.Duration;

/**
 * The health of one backend, as nginx and circuit breakers keep it:
 * <ul>
 *   <li>{@code UP}: takes traffic. {@code maxFails} failures within {@code failTimeout} (passive), or a
 *       failed active probe, put it {@code DOWN}.</li>
 *   <li>{@code DOWN}: no traffic for {@code failTimeout} (a cooldown), or until an active probe succeeds.</li>
 *   <li>{@code HALF_OPEN}: after the cooldown, one trial request at a time; its success makes the backend
 *       {@code UP}, its failure {@code DOWN} again. A backend that just came back is not flooded.</li>
 * </ul>
 * Thread-safe; every method is short.
 */
public final class BackendHealth {

    public enum State {
        UP(1.0), HALF_OPEN(0.5), DOWN(0.0);

        /** For the health gauge: 1 up, 0.5 half-open, 0 down. */
        public final double gauge;

        State(double gauge) {
            this.gauge = gauge;
        }
    }

    /** A state change, for the structured log line and the admin view. */
    public record Change(State from, State to, String reason) {
    }

    private final int maxFails;
    private final long windowMillis;
    private final Clock clock;
    private State state = State.UP;
    private int fails;
    private long firstFailAt;
    private long downUntil;
    private boolean trialInFlight;
    private String lastReason = "";

    public BackendHealth(int maxFails, Duration failTimeout, Clock clock) {
        this.maxFails = maxFails;
        this.windowMillis = failTimeout.toMillis();
        this.clock = clock;
    }

    public synchronized State state() {
        cooldownElapsed();
        return state;
    }

    public synchronized String lastReason() {
        return lastReason;
    }

    /** May a request be sent now? Half-open admits one trial at a time. */
    synchronized boolean admits() {
        cooldownElapsed();
        return state == State.UP || (state == State.HALF_OPEN && !trialInFlight);
    }

    /** Worth waiting for: up, or half-open (its trial will end soon). */
    synchronized boolean usable() {
        cooldownElapsed();
        return state != State.DOWN;
    }

    /** A request is about to go out; in half-open it is the trial. */
    synchronized void sending() {
        cooldownElapsed();
        if (state == State.HALF_OPEN) {
            trialInFlight = true;
        }
    }

    synchronized Change success() {
        fails = 0;
        trialInFlight = false;
        return move(State.UP, "request succeeded");
    }

    /** A request ended without a verdict on the backend (cancelled, refused as invalid, busy). */
    synchronized void neutral() {
        trialInFlight = false;
    }

    synchronized Change failure(String reason) {
        long now = clock.millis();
        trialInFlight = false;
        cooldownElapsed();
        if (state == State.HALF_OPEN) {
            return down(now, "trial request failed: " + reason);
        }
        if (state == State.DOWN) {
            return null;
        }
        if (fails == 0 || now - firstFailAt > windowMillis) {
            fails = 0;
            firstFailAt = now;
        }
        if (++fails >= maxFails) {
            return down(now, maxFails + " failures within " + windowMillis / 1000 + "s, last: " + reason);
        }
        return null;
    }

    /** An active probe failed: out at once (the probe is the backend's own word that it is not there). */
    synchronized Change probeFailed(String reason) {
        cooldownElapsed();
        if (state == State.DOWN) {
            downUntil = clock.millis() + windowMillis;
            lastReason = "probe failed: " + reason;
            return null;
        }
        return down(clock.millis(), "probe failed: " + reason);
    }

    /** An active probe succeeded: a down backend gets its trial request now instead of after the cooldown. */
    synchronized Change probeSucceeded() {
        if (state == State.DOWN) {
            return move(State.HALF_OPEN, "probe succeeded");
        }
        return null;
    }

    private Change down(long now, String reason) {
        fails = 0;
        downUntil = now + windowMillis;
        return move(State.DOWN, reason);
    }

    private void cooldownElapsed() {
        if (state == State.DOWN && clock.millis() >= downUntil) {
            state = State.HALF_OPEN;
            trialInFlight = false;
            lastReason = "cooldown over";
        }
    }

    private Change move(State to, String reason) {
        if (state == to) {
            return null;
        }
        Change c = new Change(state, to, reason);
        state = to;
        lastReason = reason;
        return c;
    }
}
