package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.switchboard.session.HistoryMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * What one agent is sent: its system prompt, then the last {@code keep} messages it may see.
 * Every agent sees the user's messages and every agent's answers; tool calls and tool results
 * only reach the agent that made them, so an agent is never shown tools it does not have.
 */
final class ContextWindow {
    private ContextWindow() {
    }

    static List<ChatMessage> build(String system, String agent, int keep, List<HistoryMessage> history) {
        List<HistoryMessage> visible = new ArrayList<>(history.size());
        for (HistoryMessage m : history) {
            boolean toolTraffic = HistoryMessage.TOOL.equals(m.role()) || m.hasToolCalls();
            if (!toolTraffic || agent.equals(m.agent())) {
                visible.add(m);
            }
        }
        int from = Math.max(0, visible.size() - keep);
        // The message being answered always stays in, however many tool calls this turn made since.
        for (int i = visible.size() - 1; i >= 0; i--) {
            if (HistoryMessage.USER.equals(visible.get(i).role())) {
                from = Math.min(from, i);
                break;
            }
        }
        // A window must not open on a tool result whose call fell outside it: models reject that.
        while (from < visible.size() && HistoryMessage.TOOL.equals(visible.get(from).role())) {
            from++;
        }
        List<ChatMessage> out = new ArrayList<>(visible.size() - from + 1);
        out.add(SystemMessage.from(system));
        for (HistoryMessage m : visible.subList(from, visible.size())) {
            out.add(toChatMessage(m));
        }
        return out;
    }

    private static ChatMessage toChatMessage(HistoryMessage m) {
        return switch (m.role()) {
            case HistoryMessage.USER -> UserMessage.from(m.content());
            case HistoryMessage.TOOL -> ToolExecutionResultMessage.from(m.toolCallId(), m.toolName(), m.content());
            default -> m.hasToolCalls()
                    ? AiMessage.builder()
                    .text(m.content() == null || m.content().isEmpty() ? null : m.content())
                    .toolExecutionRequests(m.toolCalls().stream()
                            .map(c -> ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build())
                            .toList())
                    .build()
                    : AiMessage.from(m.content() == null ? "" : m.content());
        };
    }
}
