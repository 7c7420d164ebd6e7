package dev.switchboard.llm;

import java.util.List;

/**
 * The candidate whose expected wait is shortest: smoothed time to first token (EWMA) times the
 * requests it would have in flight, per unit of weight. A backend without a sample yet is tried
 * first, so a new or recovered backend gets measured; an average that is not refreshed decays
 * (see {@link Backend#expectedTtftMillis}), so a backend once measured slow is tried again later.
 */
public final class LatencyAware implements BalancingStrategy {

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        Backend best = null;
        double bestScore = Double.MAX_VALUE;
        long now = System.nanoTime();
        for (Backend b : candidates) {
            double ttft = b.expectedTtftMillis(now);
            if (ttft < 0) {
                return b;
            }
            double score = Math.max(ttft, 0.1) * (b.inflight() + 1.0) / b.weight();
            if (score < bestScore) {
                best = b;
                bestScore = score;
            }
        }
        return best;
    }
}
