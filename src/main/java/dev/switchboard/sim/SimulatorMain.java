package dev.switchboard.sim;

import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.Durations;
import dev.switchboard.config.SwarmFileLoader;
import dev.switchboard.config.SwarmSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs simulated backends until killed.
 * <pre>
 *   SimulatorMain --swarm config/swarm.yaml      every backend with a "simulate:" block, on its base-url port
 *   SimulatorMain --name gpu-1 --port 11501 [--ttft 80ms] [--token-delay 10ms] [--model llama3.1:8b]
 * </pre>
 * {@code --host 0.0.0.0} listens on every interface (in a container); loopback is the default.
 */
public final class SimulatorMain {
    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        List<SimOptions> backends = new ArrayList<>();
        String swarm = null;
        String name = "sim";
        String host = "127.0.0.1";
        int port = 11434;
        String model = "sim";
        Duration ttft = Duration.ZERO;
        int capacity = 0;
        int maxQueue = 0;
        Duration tokenDelay = Duration.ZERO;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--swarm" -> swarm = args[++i];
                case "--name" -> name = args[++i];
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                case "--ttft" -> ttft = Durations.parse(args[++i]);
                case "--token-delay" -> tokenDelay = Durations.parse(args[++i]);
                case "--capacity" -> capacity = Integer.parseInt(args[++i]);
                case "--max-queue" -> maxQueue = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + (value == null ? "" : "") + "\n"
                            + "usage: [--host H] --swarm FILE | --name N --port P [--ttft 80ms] [--token-delay 10ms] [--model M] [--capacity N] [--max-queue N]");
                    System.exit(2);
                }
            }
        }
        if (swarm != null) {
            String bindHost = host;
            SwarmSpec spec = new SwarmFileLoader(k -> System.getenv().getOrDefault(k, "unset")).load(Path.of(swarm));
            for (BackendSpec b : spec.backends()) {
                b.simulate().ifPresent(sim -> backends.add(new SimOptions(b.name(), bindHost,
                        b.baseUrl().getPort(), b.model(), sim.ttft(), sim.tokenDelay(), sim.capacity(), sim.maxQueue())));
            }
        } else {
            backends.add(new SimOptions(name, host, port, model, ttft, tokenDelay, capacity, maxQueue));
        }
        List<Simulator> running = new ArrayList<>();
        for (SimOptions o : backends) {
            running.add(Simulator.start(o));
            System.out.printf("simulator %s listening on http://%s:%d (model %s, ttft %dms, token %dms, capacity %s)%n",
                    o.name(), o.host(), o.port(), o.model(), o.ttft().toMillis(), o.tokenDelay().toMillis(),
                    o.capacity() == 0 ? "unbounded" : o.capacity());
        }
        if (running.isEmpty()) {
            System.out.println("no backend in " + swarm + " has a simulate: block; nothing to run");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Simulator::close)));
        Thread.currentThread().join();
    }
}
