package dev.switchboard.llm;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two random candidates, the less loaded of them. Nearly as good as least-inflight, and it does
 * not herd: when many replicas see the same stale counts, they do not all pick the same backend.
 */
public final class PowerOfTwoChoices implements BalancingStrategy {

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Backend a = candidates.get(i);
        Backend b = candidates.get(j);
        return a.load() <= b.load() ? a : b;
    }
}
