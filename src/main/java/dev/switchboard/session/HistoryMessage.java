package dev.switchboard.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * One stored message of a session's history: one JSON entry of {@code sb:{ID}:history}.
 *
 * @param id         the client's message id for a user message, a generated one otherwise
 * @param role       user, assistant or tool
 * @param agent      the agent that was active (for user) or that spoke (assistant, tool)
 * @param content    the text
 * @param ts         epoch millis
 * @param toolCalls  tool calls an assistant message asked for
 * @param toolCallId for a tool result, the call it answers
 * @param toolName   for a tool result, the tool's name
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HistoryMessage(String id, String role, String agent, String content, long ts,
                             List<ToolCall> toolCalls, String toolCallId, String toolName) {

    public HistoryMessage {
        toolCalls = toolCalls == null ? List.of() : toolCalls; // entries without calls leave the field out
    }

    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    public static final String TOOL = "tool";

    public static HistoryMessage user(String id, String agent, String content, long ts) {
        return new HistoryMessage(id, USER, agent, content, ts, List.of(), null, null);
    }

    public static HistoryMessage assistant(String id, String agent, String content, long ts) {
        return new HistoryMessage(id, ASSISTANT, agent, content, ts, List.of(), null, null);
    }

    public boolean hasToolCalls() {
        return toolCalls != null && !toolCalls.isEmpty();
    }

    /** A tool call an assistant message made: {@code arguments} is the JSON text the model produced. */
    @RegisterForReflection
    public record ToolCall(String id, String name, String arguments) {
    }
}
