package dev.switchboard.llm;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each candidate in turn, whatever its load or speed: the baseline the other strategies beat. */
public final class RoundRobin implements BalancingStrategy {
    private final AtomicLong next = new AtomicLong();

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
    }
}
