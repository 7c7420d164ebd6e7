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
 * @param budgets        the budgets that must have tokens left for the turn to begin
 */
record BeginArgs(String owner, long leaseTtlMillis, int window, String messageId, long historyTtlMillis, String takeOver,
                 BudgetArgs budgets) {

    /** The same call, allowed to take over {@code deadLease}. */
    BeginArgs takingOver(String deadLease) {
        return new BeginArgs(owner, leaseTtlMillis, window, messageId, historyTtlMillis, deadLease, budgets);
    }

    String[] argv() {
        String[] argv = new String[6 + budgets.argv().size()];
        argv[0] = owner;
        argv[1] = String.valueOf(leaseTtlMillis);
        argv[2] = String.valueOf(window);
        argv[3] = messageId == null ? "" : messageId;
        argv[4] = String.valueOf(historyTtlMillis);
        argv[5] = takeOver == null ? "" : takeOver;
        for (int i = 0; i < budgets.argv().size(); i++) {
            argv[6 + i] = budgets.argv().get(i);
        }
        return argv;
    }
}
