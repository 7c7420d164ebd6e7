package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the backend pool of every replica picks, retries and waits.
 *
 * @param strategy      balancing strategy name (least-inflight by default)
 * @param retries       further backends tried after a connect error, 5xx or timeout before the first token
 * @param maxFails      failures within {@code failTimeout} that put a backend in cooldown
 * @param failTimeout   the window for {@code maxFails}, and the cooldown length
 * @param probeInterval active health probe period
 * @param queueTimeout  how long a turn waits for a free backend before an "overloaded" error
 * @param fallbacks     alias to aliases tried when no backend of the alias is usable
 * @param maxQueue      most turns waiting for a free backend in one replica; beyond it "overloaded" at once
 * @param deepProbe     also probe with a 1-token completion (Ollama answers "/" while inference hangs)
 * @param boundedLoad   ε of session-affinity: a backend above (1+ε) × the average load spills to the next
 */
public record PoolSpec(String strategy, int retries, int maxFails, Duration failTimeout, Duration probeInterval,
                       Duration queueTimeout, Map<String, List<String>> fallbacks, int maxQueue, boolean deepProbe,
                       double boundedLoad) {

    /** The defaults of an absent {@code pool:} section. */
    public static PoolSpec defaults() {
        return new PoolSpec("least-inflight", 2, 3, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Map.of(), 256, false, 0.25);
    }
}
