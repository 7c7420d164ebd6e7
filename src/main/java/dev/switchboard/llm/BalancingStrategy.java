package dev.switchboard.llm;

import dev.switchboard.config.PoolSpec;

import java.util.List;

/**
 * Picks one backend among candidates that all serve the alias, admit a request (healthy or their
 * half-open trial is free) and have room. One class per strategy; {@link #of} maps the swarm
 * file's {@code pool.strategy} to it.
 */
public interface BalancingStrategy {

    /**
     * @param candidates never empty
     * @param sessionKey the session the request belongs to (clientId), for affinity
     */
    Backend pick(List<Backend> candidates, String sessionKey);

    static BalancingStrategy of(PoolSpec pool) {
        return switch (pool.strategy()) {
            case "least-inflight" -> new LeastInflight();
            case "round-robin" -> new RoundRobin();
            case "weighted" -> new WeightedRandom();
            case "power-of-two" -> new PowerOfTwoChoices();
            case "latency" -> new LatencyAware();
            case "session-affinity" -> new SessionAffinity(pool.boundedLoad());
            default -> throw new IllegalArgumentException("unknown strategy " + pool.strategy());
        };
    }
}
