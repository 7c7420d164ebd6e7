package dev.switchboard.llm;

import java.util.List;

/** Picks one backend among candidates that all serve the alias, are healthy and have room. */
public interface BalancingStrategy {

    /**
     * @param candidates never empty
     * @param sessionKey the session the request belongs to, for strategies that keep affinity
     */
    Backend pick(List<Backend> candidates, String sessionKey);
}
