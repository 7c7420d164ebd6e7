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
 */
public record PoolSpec(String strategy, int retries, int maxFails, Duration failTimeout, Duration probeInterval,
                       Duration queueTimeout, Map<String, List<String>> fallbacks) {
}
