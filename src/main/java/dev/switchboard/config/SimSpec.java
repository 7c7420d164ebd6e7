package dev.switchboard.config;

import java.time.Duration;

/**
 * How the project's simulator behaves when {@code bin/up} runs it for a backend.
 *
 * @param ttft       time to first token
 * @param tokenDelay time between two tokens
 * @param capacity   completions generated at once (Ollama's OLLAMA_NUM_PARALLEL); more wait; 0 = unbounded
 * @param maxQueue   completions allowed to wait for capacity; beyond it HTTP 503 (OLLAMA_MAX_QUEUE); 0 = unbounded
 */
public record SimSpec(Duration ttft, Duration tokenDelay, int capacity, int maxQueue) {
}
