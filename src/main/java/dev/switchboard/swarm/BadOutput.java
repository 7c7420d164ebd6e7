package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;

import java.util.regex.Pattern;

/**
 * Recognises model output that must not reach the user: an empty answer, a tool call without a
 * name, or text that is a tool call the model wrote out instead of making it (small local models do
 * this: a JSON fragment, {@code <tool_call>}, {@code [TOOL_CALLS]}). What happens then is the
 * swarm's {@code rescue} strategy.
 */
final class BadOutput {
    private static final Pattern FRAGMENT = Pattern.compile(
            "^\\s*(\\{\\s*\"(name|function|tool_calls?|arguments)\"|<tool_call>|</?tool_call|\\[TOOL_CALLS]|<\\|python_tag\\|>)",
            Pattern.CASE_INSENSITIVE);

    private BadOutput() {
    }

    /** Why {@code ai} is unusable, or null when it is fine. */
    static String problem(AiMessage ai) {
        if (ai.hasToolExecutionRequests()) {
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                if (r.name() == null || r.name().isBlank()) {
                    return "a malformed tool call (no tool name)";
                }
            }
            return null;
        }
        String text = ai.text();
        if (text == null || text.isBlank()) {
            return "empty";
        }
        if (FRAGMENT.matcher(text).find()) {
            return "a tool call written as text instead of made";
        }
        return null;
    }
}
