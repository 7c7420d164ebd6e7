package dev.switchboard.session;

import java.util.List;

/**
 * What a session has spent (its totals while its keys live) and where each of its budgets stands.
 */
public record SessionSpend(long input, long output, List<Budget> budgets) {

    /**
     * One budget in its current window.
     *
     * @param name        {@code session} or {@code group:<prefix>}
     * @param reserved    held by turns running now (settled when they end)
     * @param resetMillis until the window ends
     */
    public record Budget(String name, long tokens, long spent, long reserved, long resetMillis) {
        public long left() {
            return Math.max(0, tokens - spent);
        }
    }

    /** The budget with the fewest tokens left, or null when none applies. */
    public Budget tightest() {
        Budget best = null;
        for (Budget b : budgets) {
            if (best == null || b.left() < best.left()) {
                best = b;
            }
        }
        return best;
    }
}
