package dev.switchboard.llm;

import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.LinkedHashSet;
import java.util.Set;

/** Ready when every model alias an agent uses has at least one usable backend (its own or a fallback's). */
@Readiness
@ApplicationScoped
public class BackendsReadiness implements HealthCheck {
    private final BackendPool pool;
    private final Set<String> aliases = new LinkedHashSet<>();

    public BackendsReadiness(BackendPool pool, SwarmSpec swarm) {
        this.pool = pool;
        swarm.agents().stream().map(AgentSpec::model).forEach(aliases::add);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("backends").up();
        for (String alias : aliases) {
            boolean ok = pool.canServe(alias);
            r.withData("alias " + alias, ok ? "served" : "no usable backend");
            if (!ok) {
                r.down();
            }
        }
        for (Backend b : pool.backends()) {
            r.withData(b.name(), b.health().state().name().toLowerCase());
        }
        return r.build();
    }
}
