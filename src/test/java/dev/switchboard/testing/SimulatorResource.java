package dev.switchboard.testing;

import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts the two simulated backends of src/test/resources/swarm-test.yaml before Quarkus starts:
 * sim-a (Ollama format) on 11701, sim-b (OpenAI format) on 11702. Tests reach them through
 * {@link #A} and {@link #B} to inject faults.
 */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {
    public static volatile Simulator A;
    public static volatile Simulator B;

    @Override
    public Map<String, String> start() {
        try {
            A = Simulator.start(SimOptions.of("sim-a", 11701).withModel("sim-model"));
            B = Simulator.start(SimOptions.of("sim-b", 11702).withModel("sim-model"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of();
    }

    @Override
    public void stop() {
        if (A != null) {
            A.close();
        }
        if (B != null) {
            B.close();
        }
    }
}
