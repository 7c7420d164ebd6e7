package dev.switchboard.config;

import java.util.List;

/**
 * One agent of the swarm.
 *
 * @param name         unique name, also what {@code transfer_to_<name>} hands off to
 * @param description  what the agent is for; the description of the tool that hands off to it
 * @param model        model alias the pool routes on
 * @param system       system prompt template ({@code {{port}}}, {{memory.KEY}}, …)
 * @param handoffs     agents this one may hand the conversation to
 * @param keepMessages history window sent to the model
 * @param tools        named Java tools
 * @param maxToolCalls  bound on tool calls of this agent in one turn (handoffs not counted)
 */
public record AgentSpec(String name, String description, String model, String system, List<String> handoffs,
                        int keepMessages, List<String> tools, int maxToolCalls) {
}
