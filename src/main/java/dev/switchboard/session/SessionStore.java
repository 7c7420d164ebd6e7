package dev.switchboard.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.config.SwitchboardConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in Redis. A turn costs two round trips: {@link #begin} (lease + state + history window)
 * and {@link #commit} (append + trim + state + TTLs + release), each one Lua script. Blocking:
 * call it from a virtual thread, never from the event loop.
 */
@ApplicationScoped
public class SessionStore {
    private static final Logger LOG = Logger.getLogger(SessionStore.class);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> MEMORY = new TypeReference<>() {
    };

    private final RedisDataSource redis;
    private final ObjectMapper json;
    private final SwitchboardConfig.Session config;
    private final SwarmSpec swarm;
    private final String owner;
    private final Counter roundTrips;
    private final LuaScript beginTurn = LuaScript.load("begin_turn");
    private final LuaScript commitTurn = LuaScript.load("commit_turn");
    private final LuaScript releaseLease = LuaScript.load("release_lease");
    private final LuaScript renewLease = LuaScript.load("renew_lease");
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lease-renewal").daemon().factory());

    public SessionStore(RedisDataSource redis, ObjectMapper json, SwitchboardConfig config, SwarmSpec swarm,
                        ReplicaIdentity replica, MeterRegistry meters) {
        this.redis = redis;
        this.json = json;
        this.config = config.session();
        this.swarm = swarm;
        this.owner = replica.id();
        this.roundTrips = Counter.builder("switchboard.redis.round.trips")
                .description("Redis round trips made by the session store").register(meters);
    }

    /**
     * Starts a turn: returns the stored reply if {@code messageId} was answered before, otherwise
     * waits up to {@code sb.session.lease-wait} for the session's lease.
     */
    public TurnStart begin(String clientId, String messageId, int window) {
        SessionKeys keys = SessionKeys.of(clientId);
        long deadline = System.nanoTime() + config.leaseWait().toNanos();
        while (true) {
            Response r = eval(beginTurn, List.of(keys.history(), keys.state(), keys.lease()),
                    owner, String.valueOf(config.leaseTtl().toMillis()), String.valueOf(window),
                    messageId == null ? "" : messageId, String.valueOf(swarm.swarm().historyTtl().toMillis()));
            String outcome = r.get(0).toString();
            switch (outcome) {
                case "answered" -> {
                    return new TurnStart.Answered(r.get(1).toString());
                }
                case "ok" -> {
                    return started(clientId, r);
                }
                default -> {
                    long remaining = Long.parseLong(r.get(2).toString());
                    if (System.nanoTime() > deadline) {
                        return new TurnStart.Busy(r.get(1).toString(), remaining);
                    }
                    // Poll rather than subscribe: contention on one session is rare and short.
                    sleep(Math.max(10, Math.min(100, remaining)));
                }
            }
        }
    }

    private TurnStart.Started started(String clientId, Response r) {
        long fence = Long.parseLong(r.get(1).toString());
        Lease lease = new Lease(clientId, fence, owner + "#" + fence);
        SessionState state = new SessionState(emptyToNull(r.get(2).toString()),
                read(r.get(3).toString(), STRINGS, List.of()), read(r.get(4).toString(), MEMORY, Map.of()));
        List<HistoryMessage> window = new ArrayList<>();
        for (Response entry : r.get(5)) {
            window.add(readMessage(entry.toString()));
        }
        scheduleRenewal(lease);
        return new TurnStart.Started(lease, state, window);
    }

    /**
     * Ends a turn: appends its messages, stores the reply frame for resends of {@code messageId},
     * saves the state and releases the lease, in one round trip.
     *
     * @throws LeaseLostException when a newer turn of the session has begun meanwhile
     */
    public void commit(Lease lease, String messageId, String replyJson, SessionState state, List<HistoryMessage> messages) {
        cancelRenewal(lease);
        SessionKeys keys = SessionKeys.of(lease.clientId());
        List<String> args = new ArrayList<>(10 + messages.size());
        args.add(String.valueOf(lease.fence()));
        args.add(lease.value());
        args.add(String.valueOf(swarm.swarm().historyTtl().toMillis()));
        args.add(String.valueOf(swarm.swarm().maxHistory()));
        args.add(messageId == null ? "" : messageId);
        args.add(replyJson);
        args.add(state.activeAgent());
        args.add(write(state.stack()));
        args.add(write(state.memory()));
        args.add(String.valueOf(config.answeredIds()));
        for (HistoryMessage m : messages) {
            args.add(write(m));
        }
        Response r = eval(commitTurn, List.of(keys.history(), keys.state(), keys.lease()), args.toArray(String[]::new));
        if (r.toInteger() == 0) {
            throw new LeaseLostException(lease.clientId());
        }
    }

    /** Gives the lease back after a failed turn; nothing else is written. Best effort. */
    public void release(Lease lease) {
        cancelRenewal(lease);
        try {
            eval(releaseLease, List.of(SessionKeys.of(lease.clientId()).lease()), lease.value());
        } catch (StoreUnavailableException e) {
            LOG.debugf("lease of %s not released (it will expire): %s", lease.clientId(), e.getMessage());
        }
    }

    /** The newest {@code limit} messages of a session, oldest first: one round trip. */
    public List<HistoryMessage> history(String clientId, int limit) {
        Response r = call(() -> redis.execute("LRANGE", SessionKeys.of(clientId).history(), String.valueOf(-limit), "-1"));
        List<HistoryMessage> out = new ArrayList<>(r.size());
        for (Response entry : r) {
            out.add(readMessage(entry.toString()));
        }
        return out;
    }

    /** Loads the scripts so that the first turn after start does not pay a NOSCRIPT round trip. */
    public void preload() {
        for (LuaScript s : List.of(beginTurn, commitTurn, releaseLease, renewLease)) {
            call(() -> redis.execute("SCRIPT", "LOAD", s.source()));
        }
    }

    private final Map<String, ScheduledFuture<?>> renewing = new java.util.concurrent.ConcurrentHashMap<>();

    private void scheduleRenewal(Lease lease) {
        long every = Math.max(100, config.leaseTtl().toMillis() / 3);
        renewing.put(lease.value() + lease.clientId(), renewals.scheduleAtFixedRate(() -> {
            try {
                eval(renewLease, List.of(SessionKeys.of(lease.clientId()).lease()), lease.value(),
                        String.valueOf(config.leaseTtl().toMillis()));
            } catch (RuntimeException e) {
                LOG.debugf("lease renewal of %s failed: %s", lease.clientId(), e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS));
    }

    private void cancelRenewal(Lease lease) {
        ScheduledFuture<?> f = renewing.remove(lease.value() + lease.clientId());
        if (f != null) {
            f.cancel(false);
        }
    }

    @PreDestroy
    void stop() {
        renewals.shutdownNow();
    }

    private Response eval(LuaScript script, List<String> keys, String... argv) {
        String[] args = new String[2 + keys.size() + argv.length];
        args[0] = script.sha();
        args[1] = String.valueOf(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            args[2 + i] = keys.get(i);
        }
        System.arraycopy(argv, 0, args, 2 + keys.size(), argv.length);
        try {
            return call(() -> redis.execute("EVALSHA", args));
        } catch (StoreUnavailableException e) {
            if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                throw e;
            }
            // Redis restarted or was flushed since preload: EVAL once, which also caches the script.
            args[0] = script.source();
            return call(() -> redis.execute("EVAL", args));
        }
    }

    private Response call(java.util.function.Supplier<Response> command) {
        roundTrips.increment();
        try {
            return command.get();
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("session store unavailable: " + e.getMessage(), e);
        }
    }

    private HistoryMessage readMessage(String text) {
        try {
            return json.readValue(text, HistoryMessage.class);
        } catch (JsonProcessingException e) {
            // a corrupt entry must not make the whole session unusable
            LOG.warnf("skipping unreadable history entry: %s", e.getOriginalMessage());
            return new HistoryMessage("corrupt", HistoryMessage.ASSISTANT, null, "", 0, List.of(), null, null);
        }
    }

    private <T> T read(String text, TypeReference<T> type, T empty) {
        if (text == null || text.isEmpty()) {
            return empty;
        }
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            LOG.warnf("unreadable session state field, using empty: %s", e.getOriginalMessage());
            return empty;
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the session lease", e);
        }
    }
}
