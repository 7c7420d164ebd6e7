package dev.switchboard.llm;

import dev.switchboard.config.SwarmSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** One pool per replica, built from the backends and pool sections of the swarm file; probes run from start to stop. */
@ApplicationScoped
public class BackendPoolProducer {

    @Produces
    @Singleton
    BackendPool pool(SwarmSpec swarm, MeterRegistry registry) {
        return new BackendPool(swarm.backends(), swarm.pool(), registry);
    }

    void start(@Observes StartupEvent event, BackendPool pool) {
        pool.startProbes();
    }

    void stop(@Observes ShutdownEvent event, BackendPool pool) {
        pool.close();
    }
}
