package dev.switchboard.session;

import java.util.List;
import java.util.Map;

/**
 * What a session remembers beside its history: the active agent, the navigation stack (agents to
 * go back to) and the session memory, a small key-value map for prompts and tools.
 */
public record SessionState(String activeAgent, List<String> stack, Map<String, String> memory) {
    public SessionState {
        stack = List.copyOf(stack);
        memory = Map.copyOf(memory);
    }
}
