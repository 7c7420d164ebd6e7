package dev.switchboard.llm;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health state machine with a hand-driven clock. */
class BackendHealthTest {
    private final MutableClock clock = new MutableClock();
    private final BackendHealth health = new BackendHealth(3, Duration.ofSeconds(30), clock);

    @Test
    void max_fails_within_the_window_take_it_down_for_the_cooldown() {
        assertNull(health.failure("x"));
        assertNull(health.failure("x"));
        BackendHealth.Change c = health.failure("x");
        assertEquals(BackendHealth.State.DOWN, c.to());
        assertFalse(health.admits());
        assertFalse(health.usable());
        clock.advance(29_999);
        assertEquals(BackendHealth.State.DOWN, health.state());
        clock.advance(1);
        assertEquals(BackendHealth.State.HALF_OPEN, health.state());
    }

    @Test
    void failures_spread_wider_than_the_window_do_not_add_up() {
        health.failure("x");
        health.failure("x");
        clock.advance(31_000);
        assertNull(health.failure("x"), "the window restarted");
        assertEquals(BackendHealth.State.UP, health.state());
    }

    @Test
    void a_success_clears_the_count() {
        health.failure("x");
        health.failure("x");
        health.success();
        health.failure("x");
        health.failure("x");
        assertEquals(BackendHealth.State.UP, health.state());
    }

    @Test
    void half_open_admits_one_trial_whose_outcome_decides() {
        for (int i = 0; i < 3; i++) {
            health.failure("x");
        }
        clock.advance(30_000);
        assertTrue(health.admits());
        health.sending();
        assertFalse(health.admits(), "one trial at a time");
        assertTrue(health.usable(), "worth waiting for");
        assertEquals(BackendHealth.State.DOWN, health.failure("still broken").to(), "a failed trial: down again at once");
        clock.advance(30_000);
        health.sending();
        assertEquals(BackendHealth.State.UP, health.success().to());
        assertTrue(health.admits());
    }

    @Test
    void probes_take_it_down_at_once_and_bring_it_to_a_trial_early() {
        assertEquals(BackendHealth.State.DOWN, health.probeFailed("refused").to());
        assertTrue(health.lastReason().contains("refused"));
        clock.advance(5_000);
        assertEquals(BackendHealth.State.HALF_OPEN, health.probeSucceeded().to(), "no need to wait 30 s");
        assertNull(health.probeSucceeded(), "no change, no log line");
    }

    @Test
    void a_neutral_end_frees_the_trial_without_a_verdict() {
        health.probeFailed("x");
        health.probeSucceeded();
        health.sending();
        health.neutral();
        assertEquals(BackendHealth.State.HALF_OPEN, health.state());
        assertTrue(health.admits());
    }

    static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
