package dev.switchboard.llm;

import dev.switchboard.config.BackendSpec;
import dev.switchboard.config.PoolSpec;
import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Simulators and pools a pool test starts, and the virtual threads its clients run on; closed after each test. */
final class TestBackends implements AutoCloseable {
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Simulator> sims = new ArrayList<>();
    private final List<BackendPool> pools = new ArrayList<>();

    Simulator sim(SimOptions options) throws Exception {
        Simulator s = Simulator.start(options);
        sims.add(s);
        return s;
    }

    BackendPool pool(PoolSpec spec, List<BackendSpec> backends) {
        return pool(spec, backends, new SimpleMeterRegistry());
    }

    BackendPool pool(PoolSpec spec, List<BackendSpec> backends, io.micrometer.core.instrument.MeterRegistry registry) {
        BackendPool p = new BackendPool(backends, spec, registry, dev.switchboard.testing.TestVertx.VERTX);
        pools.add(p);
        return p;
    }

    @Override
    public void close() {
        pools.forEach(BackendPool::close);
        sims.forEach(Simulator::close);
        threads.shutdownNow();
    }
}
