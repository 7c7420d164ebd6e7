package dev.switchboard.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/** Loads and validates the swarm file once per replica; an invalid file stops the replica at start. */
public class SwarmSpecProducer {
    private static final Logger LOG = Logger.getLogger(SwarmSpecProducer.class);

    @Produces
    @Singleton
    SwarmSpec swarmSpec(SwitchboardConfig config) {
        String env = System.getenv("SWITCHBOARD_SWARM_FILE");
        Path file = Path.of(env != null && !env.isBlank() ? env : config.swarmFile());
        SwarmSpec spec = new SwarmFileLoader().load(file);
        LOG.infof("swarm file %s: %d backends, %d agents, default agent %s", file, spec.backends().size(),
                spec.agents().size(), spec.swarm().defaultAgent());
        return spec;
    }
}
