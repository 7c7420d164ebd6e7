package dev.switchboard.session;

import dev.switchboard.config.SwitchboardConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.concurrent.ThreadLocalRandom;

/**
 * That this replica is alive, in Redis: {@code sb:alive:<owner>} set with a short TTL by one
 * periodic task (never per turn). A lease names its owner; a replica that finds a session's lease
 * held by an owner whose key has expired knows that owner is gone (killed, not just slow) and
 * takes the lease over at once instead of waiting out the lease's own, much longer, TTL.
 * <p>
 * The owner is the replica id plus an incarnation drawn at start, so a replica restarted on the same
 * port does not vouch for the leases of the process that died. The TTL must outlast a Redis that
 * stalls: with the key renewed every {@code ttl/10}, a Redis frozen for up to {@code 0.9 × ttl}
 * still finds every live replica's key when it wakes (DEBUG SLEEP 2 against the default 2.5 s).
 */
@Singleton
public class Liveness {
    private static final Logger LOG = Logger.getLogger(Liveness.class);

    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final String owner;
    private final long ttlMillis;
    private final long timer;
    private volatile boolean stopped;

    public Liveness(ReactiveRedisDataSource redis, Vertx vertx, ReplicaIdentity replica, SwitchboardConfig config) {
        this.redis = io.quarkus.arc.ClientProxy.unwrap(redis);
        this.vertx = vertx;
        this.owner = LeaseValue.owner(replica.id(), Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
        this.ttlMillis = config.session().livenessTtl().toMillis();
        this.timer = vertx.setPeriodic(0, Math.max(50, ttlMillis / 10), id -> beat());
    }

    /** This replica's name in leases: {@code <replica id>~<incarnation>}. */
    public String owner() {
        return owner;
    }

    static String key(String owner) {
        return "sb:alive:" + owner;
    }

    private void beat() {
        if (stopped) {
            return;
        }
        redis.execute("SET", key(owner), "1", "PX", String.valueOf(ttlMillis)).subscribe().with(r -> { },
                e -> LOG.debugf("liveness beat failed (Redis unreachable?): %s", e.getMessage()));
    }

    /** True when {@code owner} has shown a sign of life within the liveness TTL. */
    public Uni<Boolean> alive(String owner) {
        return redis.execute("EXISTS", key(owner)).map(r -> r.toInteger() == 1);
    }

    /** Leaving for good (after the drain): others may take over what is left at once. */
    @PreDestroy
    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
        try {
            redis.execute("DEL", key(owner)).await().atMost(java.time.Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOG.debugf("liveness key not removed (it expires): %s", e.getMessage());
        }
    }
}
