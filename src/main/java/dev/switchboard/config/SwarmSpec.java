package dev.switchboard.config;

import java.util.List;
import java.util.Optional;

/** A validated swarm file: the pool's backends, the pool settings, the agents and the swarm settings. */
public record SwarmSpec(String source, List<BackendSpec> backends, PoolSpec pool, List<AgentSpec> agents,
                        SwarmSettings swarm) {

    public Optional<AgentSpec> agent(String name) {
        return agents.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The widest history window any agent asks for: what a turn must load from Redis. */
    public int widestWindow() {
        return agents.stream().mapToInt(AgentSpec::keepMessages).max().orElse(0);
    }
}
