package dev.switchboard.llm;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A random candidate, each with probability proportional to its {@code weight}. */
public final class WeightedRandom implements BalancingStrategy {

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        int total = 0;
        for (Backend b : candidates) {
            total += b.weight();
        }
        int r = ThreadLocalRandom.current().nextInt(total);
        for (Backend b : candidates) {
            r -= b.weight();
            if (r < 0) {
                return b;
            }
        }
        return candidates.get(candidates.size() - 1);
    }
}
