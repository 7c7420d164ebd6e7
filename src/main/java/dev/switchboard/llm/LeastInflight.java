package dev.switchboard.llm;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend with the fewest requests in flight relative to its weight (nginx {@code least_conn});
 * ties go round-robin so equal backends share a light load evenly.
 */
public final class LeastInflight implements BalancingStrategy {
    private final AtomicInteger tieBreak = new AtomicInteger();

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        int start = Math.floorMod(tieBreak.getAndIncrement(), candidates.size());
        Backend best = null;
        double bestLoad = Double.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++) {
            Backend b = candidates.get((start + i) % candidates.size());
            double load = (double) b.inflight() / b.spec().weight();
            if (load < bestLoad) {
                best = b;
                bestLoad = load;
            }
        }
        return best;
    }
}
