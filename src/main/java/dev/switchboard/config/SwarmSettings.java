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
 * @param maxHistoryBytes     stored bytes of history kept per session (older messages are trimmed)
 * @param rescue              what to do with bad model output: recomplete, flush or fail
 * @param rescueAttempts      how many corrective re-asks {@code recomplete} makes before failing the turn
 * @param flushMessage        the answer {@code flush} gives instead of the broken one
 */
public record SwarmSettings(String defaultAgent, int maxHandoffsPerTurn, Duration idleTimeout, Duration historyTtl,
                            int maxHistory, int maxHistoryBytes, Rescue rescue, int rescueAttempts, String flushMessage) {

    /** The rescue strategies of agent-swarm-kit. */
    public enum Rescue {
        /** ask the agent again with a corrective system note, {@code rescueAttempts} times, then fail */
        RECOMPLETE,
        /** answer {@code flushMessage} and keep the broken exchange out of history */
        FLUSH,
        /** an error frame ({@code bad_output}); nothing stored */
        FAIL;

        public static Rescue parse(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
