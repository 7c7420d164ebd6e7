package dev.switchboard.session;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Loads the Lua scripts at start; a Redis that is not up yet is not fatal (turns load them on demand). */
@ApplicationScoped
class StorePreload {
    private static final Logger LOG = Logger.getLogger(StorePreload.class);

    void onStart(@Observes StartupEvent event, SessionStore store) {
        try {
            store.preload().await().atMost(java.time.Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("Redis not reachable at start (%s); turns will fail with store_unavailable until it is", e.getMessage());
        }
    }
}
