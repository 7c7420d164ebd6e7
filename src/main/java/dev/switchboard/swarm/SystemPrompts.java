package dev.switchboard.swarm;

import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.session.ReplicaIdentity;

import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/**
 * Every agent's system prompt, parsed once per replica with what the replica knows filled in
 * ({@code port}, {@code replica}, {@code agent}, {@code handoffs}); per turn only the date and the
 * session memory are added. The date is worked out once a day rather than once a turn.
 */
final class SystemPrompts {
    private final Map<String, PromptRenderer> byAgent = new HashMap<>();
    private final Clock clock;
    private volatile DatedString today = new DatedString(-1, "");

    private record DatedString(long day, String text) {
    }

    SystemPrompts(SwarmSpec spec, ReplicaIdentity replica, Navigation navigation, Clock clock) {
        this.clock = clock;
        for (AgentSpec agent : spec.agents()) {
            byAgent.put(agent.name(), new PromptRenderer(agent.system(), Map.of(
                    "port", String.valueOf(replica.port()),
                    "replica", replica.id(),
                    "agent", agent.name(),
                    "handoffs", navigation.describeHandoffs(agent))));
        }
    }

    /** {@code agent}'s system prompt for this turn. */
    String of(AgentSpec agent, SessionMemory memory) {
        return byAgent.get(agent.name()).render(date(), memory.snapshot());
    }

    private String date() {
        long day = Math.floorDiv(clock.millis(), 86_400_000L);
        DatedString d = today;
        if (d.day() != day) {
            d = new DatedString(day, LocalDate.ofEpochDay(day).toString());
            today = d;
        }
        return d.text();
    }
}
