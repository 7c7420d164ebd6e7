package dev.switchboard.llm;

import dev.switchboard.config.SwarmSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
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
    BackendPool pool(SwarmSpec swarm, MeterRegistry registry, Vertx vertx) {
        return new BackendPool(swarm.backends(), swarm.pool(), registry, vertx);
    }

    void start(@Observes StartupEvent event, BackendPool pool) {
        pool.startProbes();
    }

    void stop(@Observes ShutdownEvent event, BackendPool pool) {
        pool.close();
    }
}
