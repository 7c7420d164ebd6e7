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
 * @param maxTokens     output tokens one completion may write ({@code max_tokens} to the backend); 0: the backend's own bound
 * @param maxTurnTokens output tokens all of one turn's completions by this agent may write; 0: no bound
 */
public record AgentSpec(String name, String description, String model, String system, List<String> handoffs,
                        int keepMessages, List<String> tools, int maxToolCalls, int maxTokens, int maxTurnTokens) {

    public AgentSpec(String name, String description, String model, String system, List<String> handoffs,
                     int keepMessages, List<String> tools, int maxToolCalls) {
        this(name, description, model, system, handoffs, keepMessages, tools, maxToolCalls, 0, 0);
    }
}
