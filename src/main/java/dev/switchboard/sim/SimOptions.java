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
 */
public record SimOptions(String name, String host, int port, String model, Duration ttft, Duration tokenDelay) {

    public static SimOptions of(String name, int port) {
        return new SimOptions(name, "127.0.0.1", port, "sim", Duration.ZERO, Duration.ZERO);
    }

    public SimOptions withLatency(Duration ttft, Duration tokenDelay) {
        return new SimOptions(name, host, port, model, ttft, tokenDelay);
    }

    public SimOptions withModel(String model) {
        return new SimOptions(name, host, port, model, ttft, tokenDelay);
    }
}
