package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The navigation tools, as agent swarms name them: {@code transfer_to_<agent>} for each handoff
 * target (described by the target's {@code description}), {@code back_to_previous_agent} while the
 * navigation stack is not empty, {@code back_to_default_agent} away from the default agent. The
 * stack is the session's way back: a transfer pushes the agent it leaves, going back pops.
 */
final class Navigation {
    static final String TRANSFER = "transfer_to_";
    static final String BACK = "back_to_previous_agent";
    static final String HOME = "back_to_default_agent";
    /** Deeper stacks lose their oldest entry: the way back is bounded like everything in a session. */
    static final int MAX_STACK = 16;

    private final SwarmSpec swarm;
    private final Map<String, List<ToolSpecification>> transfers = new HashMap<>();
    private final ToolSpecification back = ToolSpecification.builder().name(BACK)
            .description("Hand the conversation back to the agent that handed it to you.")
            .parameters(JsonObjectSchema.builder().build()).build();
    private final ToolSpecification home;

    /** A navigation call: where it goes, or why it cannot. */
    record Move(AgentSpec target, String refusal, Kind kind) {
        enum Kind { TRANSFER, BACK, HOME }

        void applyTo(List<String> stack, String leaving) {
            switch (kind) {
                case TRANSFER -> {
                    stack.add(leaving);
                    if (stack.size() > MAX_STACK) {
                        stack.remove(0);
                    }
                }
                case BACK -> stack.remove(stack.size() - 1);
                case HOME -> stack.clear();
            }
        }
    }

    Navigation(SwarmSpec swarm) {
        this.swarm = swarm;
        this.home = ToolSpecification.builder().name(HOME)
                .description("Hand the conversation back to " + swarm.swarm().defaultAgent() + ", where every conversation starts.")
                .parameters(JsonObjectSchema.builder().build()).build();
        for (AgentSpec agent : swarm.agents()) {
            transfers.put(agent.name(), agent.handoffs().stream()
                    .map(target -> ToolSpecification.builder()
                            .name(TRANSFER + target)
                            .description("Hand the conversation to the " + target + " agent: "
                                    + swarm.agent(target).map(AgentSpec::description).orElse(""))
                            .parameters(JsonObjectSchema.builder().build())
                            .build())
                    .toList());
        }
    }

    List<ToolSpecification> toolsOf(String agent, List<String> stack) {
        List<ToolSpecification> out = new ArrayList<>(transfers.getOrDefault(agent, List.of()));
        if (!stack.isEmpty()) {
            out.add(back);
        }
        if (!agent.equals(swarm.swarm().defaultAgent())) {
            out.add(home);
        }
        return out;
    }

    /** The move a tool call asks for, or null when the tool is not a navigation tool. */
    Move move(AgentSpec from, String tool, List<String> stack) {
        if (tool == null) {
            return null;
        }
        if (tool.startsWith(TRANSFER)) {
            String target = tool.substring(TRANSFER.length());
            if (!from.handoffs().contains(target) || swarm.agent(target).isEmpty()) {
                return new Move(null, from.name() + " cannot hand off to '" + target + "'; it can hand off to "
                        + (from.handoffs().isEmpty() ? "nobody" : String.join(", ", from.handoffs())) + ".", Move.Kind.TRANSFER);
            }
            return new Move(swarm.agent(target).get(), null, Move.Kind.TRANSFER);
        }
        if (BACK.equals(tool)) {
            if (stack.isEmpty()) {
                return new Move(null, "there is no previous agent to go back to.", Move.Kind.BACK);
            }
            return swarm.agent(stack.get(stack.size() - 1))
                    .map(a -> new Move(a, null, Move.Kind.BACK))
                    .orElseGet(() -> new Move(null, "the previous agent no longer exists.", Move.Kind.BACK));
        }
        if (HOME.equals(tool)) {
            if (from.name().equals(swarm.swarm().defaultAgent())) {
                return new Move(null, "you are the default agent already.", Move.Kind.HOME);
            }
            return new Move(swarm.agent(swarm.swarm().defaultAgent()).orElseThrow(), null, Move.Kind.HOME);
        }
        return null;
    }

    /** For the {@code {{handoffs}}} placeholder: who this agent can hand off to, and what they do. */
    String describeHandoffs(AgentSpec agent) {
        if (agent.handoffs().isEmpty()) {
            return "none";
        }
        return agent.handoffs().stream()
                .map(h -> h + " (" + swarm.agent(h).map(AgentSpec::description).orElse("") + ")")
                .collect(Collectors.joining("; "));
    }
}
