package dev.switchboard.llm;

/**
 * What one caller's completions spent, summed as each try of the pool ends: an answer, a stream
 * cut and resumed elsewhere, a hedge's losing try (the backend worked for it: it is spent too).
 * A turn or a gateway request holds one; tries of a hedge may end on their own threads' callbacks,
 * so adding is synchronized (uncontended: one add per try).
 */
public final class UsageMeter {
    private Usage total = Usage.NONE;
    private int completions;

    public synchronized void add(Usage usage) {
        total = total.plus(usage);
        completions++;
    }

    public synchronized Usage total() {
        return total;
    }

    /** How many tries spent something. */
    public synchronized int completions() {
        return completions;
    }
}
