package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The navigation tools of each agent: one {@code transfer_to_<agent>} per handoff target, whose
 * description is the target's description, so the model knows whom it hands the user to.
 */
final class Handoffs {
    static final String PREFIX = "transfer_to_";

    private final Map<String, List<ToolSpecification>> toolsByAgent = new HashMap<>();

    Handoffs(SwarmSpec swarm) {
        for (AgentSpec agent : swarm.agents()) {
            toolsByAgent.put(agent.name(), agent.handoffs().stream()
                    .map(target -> ToolSpecification.builder()
                            .name(PREFIX + target)
                            .description("Hand the conversation to the " + target + " agent. "
                                    + swarm.agent(target).map(AgentSpec::description).orElse(""))
                            .parameters(JsonObjectSchema.builder().build())
                            .build())
                    .toList());
        }
    }

    List<ToolSpecification> toolsOf(String agent) {
        return toolsByAgent.getOrDefault(agent, List.of());
    }

    /** The target of a handoff tool name, if it is one. */
    static Optional<String> target(String toolName) {
        return toolName != null && toolName.startsWith(PREFIX)
                ? Optional.of(toolName.substring(PREFIX.length())) : Optional.empty();
    }
}
