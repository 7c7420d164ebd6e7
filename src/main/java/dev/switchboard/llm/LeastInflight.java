package dev.switchboard.llm;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend with the fewest requests in flight per unit of {@code weight} (nginx
 * {@code least_conn}). A fast backend finishes sooner, so it is picked more: the split follows
 * real capacity without knowing it. Ties go round-robin so equal idle backends share a light load.
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
            double load = (b.inflight() + 1.0) / b.weight();
            if (load < bestLoad) {
                best = b;
                bestLoad = load;
            }
        }
        return best;
    }
}
