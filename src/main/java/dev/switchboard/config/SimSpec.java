package dev.switchboard.config;

import java.time.Duration;

/**
 * How the project's simulator behaves when {@code bin/up} runs it for a backend.
 *
 * @param ttft       time to first token
 * @param tokenDelay time between two tokens
 */
public record SimSpec(Duration ttft, Duration tokenDelay) {
}
