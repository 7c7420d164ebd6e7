package dev.switchboard.config;

import java.util.List;
import java.util.Optional;

/**
 * A validated swarm file: the pool's backends, the pool settings, the agents, the swarm settings
 * and the token budgets.
 *
 * @param lineOf the line of a field path ({@code agents[1].tools[0]}) in the file, for problems found
 *               after loading (an unknown tool name is known only to the swarm package)
 */
public record SwarmSpec(String source, List<BackendSpec> backends, PoolSpec pool, List<AgentSpec> agents,
                        SwarmSettings swarm, BudgetSpec budgets, java.util.function.ToIntFunction<String> lineOf) {

    /** {@code file:line: path}, the way the loader names a problem. */
    public String where(String path) {
        return source + ":" + lineOf.applyAsInt(path) + ": " + path;
    }

    public Optional<AgentSpec> agent(String name) {
        return agents.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The widest history window any agent asks for: what a turn must load from Redis. */
    public int widestWindow() {
        return agents.stream().mapToInt(AgentSpec::keepMessages).max().orElse(0);
    }
}
