package dev.switchboard.sim;

import java.time.Duration;

/**
 * One simulated backend.
 *
 * @param name       shown in every reply, so a test sees which backend answered
 * @param host       address to bind (loopback by default)
 * @param port       port to listen on (0 = any free port)
 * @param model      the model name it lists and accepts (it accepts any, like a permissive proxy)
 * @param ttft       time to first token
 * @param tokenDelay time between tokens
 * @param capacity   completions generated at once, like Ollama's OLLAMA_NUM_PARALLEL (0 = unbounded);
 *                   more wait their turn, so an overloaded backend gets slower as a real one does
 * @param maxQueue   completions allowed to wait; beyond it HTTP 503 "server busy" as Ollama's
 *                   OLLAMA_MAX_QUEUE (0 = unbounded)
 */
public record SimOptions(String name, String host, int port, String model, Duration ttft, Duration tokenDelay,
                         int capacity, int maxQueue) {

    public SimOptions(String name, String host, int port, String model, Duration ttft, Duration tokenDelay) {
        this(name, host, port, model, ttft, tokenDelay, 0, 0);
    }

    public static SimOptions of(String name, int port) {
        return new SimOptions(name, "127.0.0.1", port, "sim", Duration.ZERO, Duration.ZERO);
    }

    public SimOptions withLatency(Duration ttft, Duration tokenDelay) {
        return new SimOptions(name, host, port, model, ttft, tokenDelay, capacity, maxQueue);
    }

    public SimOptions withModel(String model) {
        return new SimOptions(name, host, port, model, ttft, tokenDelay, capacity, maxQueue);
    }

    public SimOptions withCapacity(int capacity, int maxQueue) {
        return new SimOptions(name, host, port, model, ttft, tokenDelay, capacity, maxQueue);
    }
}
