package dev.switchboard.llm;

import dev.switchboard.config.SwarmSpec;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** One pool per replica, built from the backends and pool sections of the swarm file. */
public class BackendPoolProducer {

    @Produces
    @Singleton
    BackendPool pool(SwarmSpec swarm) {
        return new BackendPool(swarm.backends(), swarm.pool());
    }
}
