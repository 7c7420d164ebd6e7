package dev.switchboard.session;

/**
 * The arguments of {@code lua/begin_turn.lua}, by name; {@link #argv()} is the one place that knows
 * their order (the script's header comment lists the same).
 *
 * @param owner          this replica run, {@code <replica id>~<incarnation>}
 * @param leaseTtlMillis how long the lease lives without renewal
 * @param window         how many of the newest history entries to read
 * @param messageId      the client's message id, or null: a stored answer to it ends the turn at once
 * @param historyTtlMillis the session keys' time to live
 * @param takeOver       the lease value of a dead owner this call may replace, or null
 */
record BeginArgs(String owner, long leaseTtlMillis, int window, String messageId, long historyTtlMillis, String takeOver) {

    /** The same call, allowed to take over {@code deadLease}. */
    BeginArgs takingOver(String deadLease) {
        return new BeginArgs(owner, leaseTtlMillis, window, messageId, historyTtlMillis, deadLease);
    }

    String[] argv() {
        return new String[]{owner, String.valueOf(leaseTtlMillis), String.valueOf(window), messageId == null ? "" : messageId,
                String.valueOf(historyTtlMillis), takeOver == null ? "" : takeOver};
    }
}
