package dev.switchboard.swarm;

import jakarta.inject.Singleton;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which turns this replica takes, and how many it owes an answer: every front end (a socket's
 * queue, the Telegram webhook) gets a {@link Ticket} for a turn when it accepts the message — not
 * when the turn starts running — so a SIGTERM that begins while the turn waits still waits for it.
 * While draining no ticket is given: the client resends on another replica.
 */
@Singleton
public class TurnAdmission {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();

    /** One admitted turn, from acceptance to its end; ending it twice counts once. */
    public final class Ticket {
        private final AtomicBoolean ended = new AtomicBoolean();

        private Ticket() {
        }

        public void end() {
            if (ended.compareAndSet(false, true) && running.decrementAndGet() == 0 && draining.get()) {
                synchronized (TurnAdmission.this) {
                    TurnAdmission.this.notifyAll(); // the drain waits for exactly this
                }
            }
        }
    }

    /**
     * A ticket for one turn, or null while draining. Counting first and checking the flag second
     * closes the race with {@link #drain}, which sets the flag first and counts second.
     */
    public Ticket admit() {
        running.incrementAndGet();
        if (draining.get()) {
            running.decrementAndGet();
            return null;
        }
        return new Ticket();
    }

    public boolean draining() {
        return draining.get();
    }

    /** Turns admitted and not ended. */
    public int running() {
        return running.get();
    }

    /** From now on no turn is admitted. */
    public void drain() {
        draining.set(true);
    }

    /** Waits until no admitted turn is left, woken by the last {@link Ticket#end}, at most until {@code deadline} (nanoTime). */
    public synchronized void awaitIdle(long deadline) {
        long left;
        while (running.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
