package dev.switchboard.session;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.switchboard.config.SwitchboardConfig;

/**
 * Who this replica is: its HTTP port unless {@code sb.replica-id} says otherwise. Shown to clients
 * in reply frames and written into leases, so a stuck lease names the replica that holds it.
 */
@Singleton
public class ReplicaIdentity {
    private final String id;
    private final int port;

    @jakarta.inject.Inject
    public ReplicaIdentity(@ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port,
                           SwitchboardConfig config) {
        this.port = port;
        this.id = config.replicaId().filter(s -> !s.isBlank()).orElse(String.valueOf(port));
    }

    /** A replica identity outside CDI (tests, tools). */
    public ReplicaIdentity(int port, String id) {
        this.port = port;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public int port() {
        return port;
    }
}
