package dev.switchboard.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.config.SwitchboardConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import dev.switchboard.trace.TurnTrace;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in Redis. A turn costs two round trips: {@link #begin} (lease + state + history window)
 * and {@link #commit} (append + trim + state + TTLs + release), each one Lua script. Non-blocking:
 * every method returns a {@link Uni} on the reactive client, so a turn stays on its event loop;
 * a lease held by a running turn is kept alive by one sweep per replica, not a task per turn.
 */
@Singleton
public class SessionStore {
    private static final Logger LOG = Logger.getLogger(SessionStore.class);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> MEMORY = new TypeReference<>() {
    };

    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final ObjectMapper json;
    // readers built once: readValue with a TypeReference resolved the type on every turn (profile)
    private final ObjectReader stackReader;
    private final ObjectReader memoryReader;
    private final SwitchboardConfig.Session config;
    private final SwarmSpec swarm;
    private final String owner;
    private final Counter roundTrips;
    private final Counter takeovers;
    private final Liveness liveness;
    private static final long RELEASE_RETRY_MILLIS = 500;
    private final LuaScript beginTurn = LuaScript.load("begin_turn", "budget_lib");
    private final LuaScript commitTurn = LuaScript.load("commit_turn", "budget_lib");
    private final LuaScript releaseLease = LuaScript.load("release_lease", "budget_lib");
    private final LuaScript readBudgets = LuaScript.load("read_budgets", "budget_lib");
    private final LuaScript renewLease = LuaScript.load("renew_lease");
    private final LuaScript resetSession = LuaScript.load("reset_session");
    /** Leases of turns running on this replica, with when each was last taken or renewed (ms). */
    private final Map<Lease, Long> held = new ConcurrentHashMap<>();
    private final Map<String, io.micrometer.core.instrument.Timer> scriptTimers = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final HistoryJson historyJson;
    private final long renewAfterMillis;
    private final long sweep;

    public SessionStore(ReactiveRedisDataSource redis, Vertx vertx, ObjectMapper json, SwitchboardConfig config,
                        SwarmSpec swarm, Liveness liveness, MeterRegistry meters) {
        // the data source's client proxy would look the bean up on every command; it lives as long as the app
        this.redis = io.quarkus.arc.ClientProxy.unwrap(redis);
        this.vertx = vertx;
        this.json = json;
        this.stackReader = json.readerFor(STRINGS);
        this.memoryReader = json.readerFor(MEMORY);
        this.historyJson = new HistoryJson(json.getFactory());
        this.config = config.session();
        this.swarm = swarm;
        if (!swarm.budgets().groups().isEmpty() && "cluster".equalsIgnoreCase(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.redis.client-type", String.class).orElse("standalone"))) {
            // a group's counter is shared by sessions in every slot; one script cannot span slots
            throw new IllegalStateException("budgets.groups need one Redis primary (standalone or sentinel): "
                    + "Redis Cluster cannot count a group's tokens in the same script as a session's turn");
        }
        this.liveness = liveness;
        this.owner = liveness.owner();
        this.meters = meters;
        this.takeovers = Counter.builder("switchboard.session.takeovers")
                .description("turn leases taken over from a replica found dead").register(meters);
        this.roundTrips = Counter.builder("switchboard.redis.round.trips")
                .description("Redis round trips made by the session store").register(meters);
        // A lease is renewed once it is a third of its TTL old; sweeping every sixth means it is never
        // more than half its TTL old while its turn runs. Turns shorter than that are never renewed.
        long ttl = this.config.leaseTtl().toMillis();
        this.renewAfterMillis = Math.max(100, ttl / 3);
        this.sweep = vertx.setPeriodic(Math.max(50, ttl / 6), id -> renewHeld());
    }

    /**
     * Starts a turn: the stored reply if {@code messageId} was answered before, otherwise the lease,
     * waiting up to {@code sb.session.lease-wait} for it (polling on a timer: contention on one
     * session is rare and short). Fails with {@link StoreUnavailableException}.
     */
    public Uni<TurnStart> begin(String clientId, String messageId, int window) {
        return begin(clientId, messageId, window, TurnTrace.NONE);
    }

    /** {@link #begin(String, String, int)}, its script a span under {@code trace}. */
    public Uni<TurnStart> begin(String clientId, String messageId, int window, TurnTrace trace) {
        SessionKeys keys = SessionKeys.of(clientId);
        BudgetArgs budgets = BudgetArgs.of(swarm.budgets(), clientId);
        List<String> keyList = withBudgets(budgets, keys.history(), keys.state(), keys.lease());
        BeginArgs args = new BeginArgs(owner, config.leaseTtl().toMillis(), window, messageId,
                swarm.swarm().historyTtl().toMillis(), null, budgets);
        return tryBegin(clientId, keyList, args, System.nanoTime() + config.leaseWait().toNanos(), trace);
    }

    private static List<String> withBudgets(BudgetArgs budgets, String... sessionKeys) {
        if (budgets.keys().isEmpty()) {
            return List.of(sessionKeys);
        }
        List<String> keys = new ArrayList<>(sessionKeys.length + budgets.keys().size());
        keys.addAll(List.of(sessionKeys));
        keys.addAll(budgets.keys());
        return keys;
    }

    private Uni<TurnStart> tryBegin(String clientId, List<String> keys, BeginArgs args, long deadline, TurnTrace trace) {
        return eval(beginTurn, trace, keys, args.argv()).flatMap(r -> {
            String outcome = r.get(0).toString();
            if ("answered".equals(outcome)) {
                return Uni.createFrom().item(new TurnStart.Answered(r.get(1).toString()));
            }
            if ("ok".equals(outcome)) {
                return Uni.createFrom().item(started(clientId, r, args.budgets()));
            }
            if ("budget".equals(outcome)) {
                String budget = args.budgets().names().get(Integer.parseInt(r.get(2).toString()) - 1);
                return Uni.createFrom().item(new TurnStart.OverBudget(budget, Long.parseLong(r.get(1).toString())));
            }
            String holder = r.get(1).toString();
            long remaining = Long.parseLong(r.get(2).toString());
            if (System.nanoTime() > deadline) {
                return Uni.createFrom().item(new TurnStart.Busy(holder, remaining));
            }
            LeaseValue held = LeaseValue.parse(holder);
            String holderOwner = held == null ? "" : held.owner();
            if (holderOwner.isEmpty() || holderOwner.equals(owner) || holder.equals(args.takeOver())) {
                return delay(Math.max(10, Math.min(100, remaining))).flatMap(v -> tryBegin(clientId, keys, args, deadline, trace));
            }
            // Another replica's turn holds the session: one more round trip, only on this contended path,
            // says whether that replica still lives. A dead one's lease is taken over now, not at its TTL.
            roundTrips.increment();
            return liveness.alive(holderOwner)
                    .onFailure().transform(e -> new StoreUnavailableException("session store unavailable: " + e.getMessage(), e))
                    .flatMap(alive -> {
                if (alive) {
                    return delay(Math.max(10, Math.min(100, remaining))).flatMap(v -> tryBegin(clientId, keys, args, deadline, trace));
                }
                LOG.infof("taking over the turn lease of %s from %s, which is not alive", clientId, holderOwner);
                takeovers.increment();
                return tryBegin(clientId, keys, args.takingOver(holder), deadline, trace);
            });
        });
    }

    /** The stored answer to {@code messageId} of a session (its reply JSON), or null: one round trip. */
    public Uni<String> storedAnswer(String clientId, String messageId) {
        return call(redis.execute("HGET", SessionKeys.of(clientId).state(), "r:" + messageId))
                .map(r -> r == null ? null : r.toString());
    }

    /**
     * Gives back the leases of the turns still running here (a drain that ran out of time): other
     * replicas may start those sessions' next turns at once. A turn that still finishes here commits
     * only if no newer turn began meanwhile (fencing).
     */
    public void releaseAll() {
        held.keySet().forEach(lease -> release(lease, 0, 0));
    }

    private TurnStart.Started started(String clientId, Response r, BudgetArgs budgets) {
        long fence = Long.parseLong(r.get(1).toString());
        Lease lease = new Lease(clientId, fence, LeaseValue.format(owner, fence), budgets);
        SessionState state = new SessionState(emptyToNull(r.get(2).toString()),
                read(r.get(3).toString(), stackReader, List.of()), read(r.get(4).toString(), memoryReader, Map.of()));
        Response entries = r.get(5);
        List<HistoryMessage> window = new ArrayList<>(entries.size());
        for (Response entry : entries) {
            window.add(readMessage(entry.toBytes()));
        }
        held.put(lease, System.currentTimeMillis());
        return new TurnStart.Started(lease, state, window);
    }

    /**
     * Ends a turn: appends its messages, stores the reply frame for resends of {@code messageId},
     * saves the state and releases the lease, in one round trip. Fails with
     * {@link LeaseLostException} when a newer turn of the session has begun meanwhile. The turn's
     * tokens go on the session's totals and its budgets in the same script.
     *
     * @return the tightest budget after this turn, or null when no budget applies
     */
    public Uni<BudgetLeft> commit(Lease lease, String messageId, String replyJson, SessionState state,
                                  List<HistoryMessage> messages, long inputTokens, long outputTokens) {
        return commit(lease, messageId, replyJson, state, messages, inputTokens, outputTokens, TurnTrace.NONE);
    }

    /** {@link #commit(Lease, String, String, SessionState, List, long, long)}, its script a span under {@code trace}. */
    public Uni<BudgetLeft> commit(Lease lease, String messageId, String replyJson, SessionState state,
                                  List<HistoryMessage> messages, long inputTokens, long outputTokens, TurnTrace trace) {
        held.remove(lease);
        SessionKeys keys = SessionKeys.of(lease.clientId());
        List<String> lines = new ArrayList<>(messages.size());
        for (HistoryMessage m : messages) {
            lines.add(historyJson.write(m));
        }
        CommitArgs args = new CommitArgs(lease.fence(), lease.value(), swarm.swarm().historyTtl().toMillis(),
                swarm.swarm().maxHistory(), messageId, replyJson, state.activeAgent(), write(state.stack()), write(state.memory()),
                config.answeredIds(), swarm.swarm().maxHistoryBytes(), inputTokens, outputTokens, lease.budgets(), lines);
        return eval(commitTurn, trace, withBudgets(lease.budgets(), keys.history(), keys.state(), keys.lease()), args.argv()).flatMap(r -> {
            if (r.type() == io.vertx.redis.client.ResponseType.NUMBER) {
                return Uni.createFrom().failure(new LeaseLostException(lease.clientId()));
            }
            if (r.size() < 3) {
                return Uni.createFrom().nullItem();
            }
            return Uni.createFrom().item(new BudgetLeft(r.get(1).toLong(), r.get(2).toLong()));
        });
    }

    /**
     * Gives the lease back after a failed turn. Nothing of the turn is stored, but what its
     * completions spent is counted (the backend did the work). Best effort, not awaited.
     */
    public void release(Lease lease, long inputTokens, long outputTokens) {
        release(lease, inputTokens, outputTokens, TurnTrace.NONE);
    }

    /** {@link #release(Lease, long, long)}, its script a span under {@code trace}. */
    public void release(Lease lease, long inputTokens, long outputTokens, TurnTrace trace) {
        held.remove(lease);
        release(lease, inputTokens, outputTokens, System.currentTimeMillis() + config.leaseTtl().toMillis(), trace);
    }

    /** A session's spend and its budgets now: one round trip. */
    public Uni<SessionSpend> spend(String clientId) {
        BudgetArgs budgets = BudgetArgs.of(swarm.budgets(), clientId);
        return eval(readBudgets, withBudgets(budgets, SessionKeys.of(clientId).state()), budgets.argv().toArray(String[]::new))
                .map(r -> {
                    List<SessionSpend.Budget> out = new ArrayList<>(budgets.names().size());
                    for (int i = 0; i < budgets.names().size(); i++) {
                        out.add(new SessionSpend.Budget(budgets.names().get(i), budgets.tokens(i),
                                r.get(2 + 3 * i).toLong(), r.get(3 + 3 * i).toLong(), r.get(4 + 3 * i).toLong()));
                    }
                    return new SessionSpend(r.get(0).toLong(), r.get(1).toLong(), out);
                });
    }

    /**
     * A release that fails (Redis unreachable, a failover under way) is tried again every half second
     * until the lease would have expired anyway: otherwise the promoted replica keeps the lease of a
     * turn that failed, and the session's next message waits out the whole lease TTL.
     */
    private void release(Lease lease, long inputTokens, long outputTokens, long until, TurnTrace trace) {
        SessionKeys keys = SessionKeys.of(lease.clientId());
        List<String> argv = new ArrayList<>(3 + lease.budgets().argv().size());
        argv.add(lease.value());
        argv.add(String.valueOf(inputTokens));
        argv.add(String.valueOf(outputTokens));
        argv.addAll(lease.budgets().argv());
        eval(releaseLease, trace, withBudgets(lease.budgets(), keys.lease(), keys.state()), argv.toArray(String[]::new)).subscribe().with(
                r -> { },
                e -> {
                    if (System.currentTimeMillis() + RELEASE_RETRY_MILLIS < until) {
                        vertx.setTimer(RELEASE_RETRY_MILLIS, id -> release(lease, inputTokens, outputTokens, until, trace));
                    } else {
                        LOG.debugf("lease of %s not released (it will expire): %s", lease.clientId(), e.getMessage());
                    }
                });
    }

    /** The newest {@code limit} messages of a session, oldest first: one round trip. */
    public Uni<List<HistoryMessage>> history(String clientId, int limit) {
        return call(redis.execute("LRANGE", SessionKeys.of(clientId).history(), String.valueOf(-limit), "-1")).map(r -> {
            List<HistoryMessage> out = new ArrayList<>(r.size());
            for (Response entry : r) {
                out.add(readMessage(entry.toBytes()));
            }
            return out;
        });
    }

    /**
     * Forgets a session: history, active agent, memory and answered ids, in one atomic step.
     * @return false when a turn of the session is running (nothing was changed); try again after it
     */
    public Uni<Boolean> reset(String clientId) {
        SessionKeys keys = SessionKeys.of(clientId);
        return eval(resetSession, List.of(keys.history(), keys.state(), keys.lease())).map(r -> r.toInteger() == 1);
    }

    /** Loads the scripts so that the first turn after start does not pay a NOSCRIPT round trip. */
    public Uni<Void> preload() {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (LuaScript s : List.of(beginTurn, commitTurn, releaseLease, renewLease, resetSession, readBudgets)) {
            all = all.flatMap(v -> call(redis.execute("SCRIPT", "LOAD", s.source())).replaceWithVoid());
        }
        return all;
    }

    private void renewHeld() {
        long now = System.currentTimeMillis();
        held.forEach((lease, since) -> {
            if (now - since < renewAfterMillis) {
                return;
            }
            held.replace(lease, since, now);
            eval(renewLease, List.of(SessionKeys.of(lease.clientId()).lease()), lease.value(),
                    String.valueOf(config.leaseTtl().toMillis())).subscribe().with(r -> { },
                    e -> LOG.debugf("lease renewal of %s failed: %s", lease.clientId(), e.getMessage()));
        });
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(sweep);
    }

    private Uni<Response> eval(LuaScript script, List<String> keys, String... argv) {
        return eval(script, TurnTrace.NONE, keys, argv);
    }

    /** One script, one round trip: timed per script, and a span under {@code trace} when the turn is traced. */
    private Uni<Response> eval(LuaScript script, TurnTrace trace, List<String> keys, String... argv) {
        io.micrometer.core.instrument.Timer timer = scriptTimers.computeIfAbsent(script.name(), n ->
                io.micrometer.core.instrument.Timer.builder("switchboard.redis.script.duration").tag("script", n)
                        .description("a session script's round trip, sent to answered").publishPercentileHistogram()
                        .minimumExpectedValue(java.time.Duration.ofNanos(100_000)).maximumExpectedValue(java.time.Duration.ofSeconds(10))
                        .register(meters));
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            io.opentelemetry.api.trace.Span span = trace.child("EVALSHA " + script.name(), io.opentelemetry.api.trace.SpanKind.CLIENT);
            if (span.isRecording()) {
                span.setAttribute("db.system.name", "redis");
                span.setAttribute("db.operation.name", "EVALSHA");
                span.setAttribute("db.stored_procedure.name", script.name());
            }
            return call(script.run(redis, keys, argv)).onTermination().invoke((r, e, cancelled) -> {
                timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (e != null && span.isRecording()) {
                    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, String.valueOf(e.getMessage()));
                }
                span.end();
            });
        });
    }

    private Uni<Response> call(Uni<io.vertx.mutiny.redis.client.Response> command) {
        roundTrips.increment();
        return command.map(io.vertx.mutiny.redis.client.Response::getDelegate)
                .onFailure().transform(e -> e instanceof StoreUnavailableException ? e
                        : new StoreUnavailableException("session store unavailable: " + e.getMessage(), e));
    }

    private HistoryMessage readMessage(byte[] entry) {
        try {
            return historyJson.read(entry);
        } catch (java.io.IOException | RuntimeException e) {
            // a corrupt entry must not make the whole session unusable
            LOG.warnf("skipping unreadable history entry: %s", e.getMessage());
            return new HistoryMessage("corrupt", HistoryMessage.ASSISTANT, null, "", 0, List.of(), null, null);
        }
    }

    private <T> T read(String text, ObjectReader reader, T empty) {
        if (text == null || text.isEmpty()) {
            return empty;
        }
        try {
            return reader.readValue(text);
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

    private Uni<Void> delay(long millis) {
        return Uni.createFrom().emitter(em -> vertx.setTimer(millis, id -> em.complete(null)));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
