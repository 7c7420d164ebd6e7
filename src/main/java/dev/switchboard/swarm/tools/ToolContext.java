package dev.switchboard.swarm.tools;

import dev.switchboard.swarm.SessionMemory;

import java.time.Clock;

/**
 * What a tool may see and change: the session it serves, the agent calling it, the session memory
 * (changes are stored with the turn, or dropped with it when the turn fails).
 */
public record ToolContext(String clientId, String agent, SessionMemory memory, Clock clock) {
}
