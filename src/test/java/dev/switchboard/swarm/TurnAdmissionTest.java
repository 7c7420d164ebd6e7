package dev.switchboard.swarm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every front end's turns are counted from acceptance to end, and a drain waits for exactly those. */
class TurnAdmissionTest {

    @Test
    void a_drain_admits_nothing_new_and_waits_for_the_admitted_turns() throws Exception {
        TurnAdmission admission = new TurnAdmission();
        TurnAdmission.Ticket queued = admission.admit(); // a socket's queued message, or a webhook update
        assertNotNull(queued);
        admission.drain();
        assertNull(admission.admit(), "nothing new while draining");
        assertEquals(1, admission.running());

        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            admission.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            return (System.nanoTime() - t0) / 1_000_000;
        });
        org.awaitility.Awaitility.await("the drain keeps waiting while a turn is admitted")
                .during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(2)).until(() -> !waited.isDone());
        queued.end();
        queued.end(); // twice counts once
        long millis = waited.get(10, TimeUnit.SECONDS);
        assertTrue(millis < 10_000, "woken by the end, not by the 20 s deadline: " + millis + " ms");
        assertEquals(0, admission.running());
    }

    @Test
    void without_turns_the_drain_does_not_wait_and_a_deadline_bounds_it() {
        TurnAdmission admission = new TurnAdmission();
        admission.drain();
        admission.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(20)); // returns at once: nothing admitted
        TurnAdmission other = new TurnAdmission();
        assertNotNull(other.admit());
        other.drain();
        long t0 = System.nanoTime();
        other.awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 150, "a turn that never ends is waited for until the deadline only");
        assertEquals(1, other.running());
    }
}
