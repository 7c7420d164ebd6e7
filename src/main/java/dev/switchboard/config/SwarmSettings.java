package dev.switchboard.config;

import java.time.Duration;

/**
 * Swarm-wide settings.
 *
 * @param defaultAgent        the agent a new session starts with
 * @param maxHandoffsPerTurn  bound on handoffs inside one turn
 * @param idleTimeout         a socket idle this long is closed; its session stays in Redis
 * @param historyTtl          every key of a session expires after this much silence
 * @param maxHistory          stored messages kept per session (older ones are trimmed)
 */
public record SwarmSettings(String defaultAgent, int maxHandoffsPerTurn, Duration idleTimeout, Duration historyTtl,
                            int maxHistory) {
}
