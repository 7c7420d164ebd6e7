package dev.switchboard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.llm.Backend;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.config.BudgetSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.session.BudgetArgs;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * {@code GET /admin/backends}: the pool of this replica as JSON (state, in flight, smoothed time to
 * first token, why a backend is down); {@code GET /admin/budgets}: group and gateway-key budgets;
 * {@code GET /admin/ops.json}: the live operations page's data. Needs {@code Authorization: Bearer <sb.admin.api-key>}; off
 * (403) while no key is set, so a fresh install does not expose it.
 */
@ApplicationScoped
public class AdminRoutes {
    private final BackendPool pool;
    private final ObjectMapper json;
    private final BearerKeys keys;

    private final ReactiveRedisDataSource redis;
    private final SwarmSpec swarm;
    private final KeyBudgets keyBudgets;
    private final List<String> gatewayKeyIds;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final dev.switchboard.session.ReplicaIdentity replica;

    public AdminRoutes(BackendPool pool, ObjectMapper json, SwitchboardConfig config, ReactiveRedisDataSource redis,
                       SwarmSpec swarm, KeyBudgets keyBudgets, io.micrometer.core.instrument.MeterRegistry meters,
                       dev.switchboard.session.ReplicaIdentity replica) {
        this.pool = pool;
        this.meters = meters;
        this.replica = replica;
        this.json = json;
        this.keys = new BearerKeys(config.admin().apiKey().map(List::of).orElse(List.of()));
        this.redis = io.quarkus.arc.ClientProxy.unwrap(redis);
        this.swarm = swarm;
        this.keyBudgets = keyBudgets;
        this.gatewayKeyIds = config.gateway().apiKeys().orElse(List.of()).stream().map(KeyBudgets::idOf).toList();
    }

    void routes(@Observes Router router) {
        router.get("/admin/backends").handler(this::backends);
        router.get("/admin/budgets").handler(this::budgets);
        router.get("/admin/ops.json").handler(this::ops);
    }

    /** Checked in each handler: 403 while no admin key is set, 401 without it. */
    private boolean authorized(RoutingContext rc) {
        if (keys.open()) {
            reply(rc, 403, json.createObjectNode().put("error", "the admin API is off: set SB_ADMIN_API_KEY"));
            return false;
        }
        if (!keys.accepts(rc.request().getHeader("Authorization"))) {
            reply(rc, 401, json.createObjectNode().put("error", "Authorization: Bearer <admin key> required"));
            return false;
        }
        return true;
    }

    /**
     * {@code GET /admin/budgets}: each group budget of the swarm file and each gateway key (by its
     * id, never the key) with what it spent in its current window and when that window ends.
     */
    private void budgets(RoutingContext rc) {
        if (!authorized(rc)) {
            return;
        }
        long now = System.currentTimeMillis();
        ObjectNode root = json.createObjectNode();
        ArrayNode groups = root.putArray("groups");
        ArrayNode gatewayKeys = root.putArray("keys");
        Uni<Void> all = Uni.createFrom().voidItem();
        for (BudgetSpec.Group g : swarm.budgets().groups()) {
            ObjectNode n = groups.addObject().put("prefix", g.prefix());
            all = all.flatMap(v -> window(n, BudgetArgs.groupKey(g.prefix()), g.allowance().tokens(), g.allowance().per().toMillis(), now));
        }
        for (String id : gatewayKeyIds) {
            ObjectNode n = gatewayKeys.addObject().put("id", id);
            List<String> k = KeyBudgets.keysOf(id);
            if (keyBudgets.perMinute() > 0) {
                all = all.flatMap(v -> window(n.putObject("minute"), k.get(0), keyBudgets.perMinute(), 60_000, now));
            }
            if (keyBudgets.perDay() > 0) {
                all = all.flatMap(v -> window(n.putObject("day"), k.get(1), keyBudgets.perDay(), 86_400_000, now));
            }
        }
        all.subscribe().with(v -> reply(rc, 200, root),
                e -> reply(rc, 503, json.createObjectNode().put("error", "the session store is unavailable")));
    }

    private Uni<Void> window(ObjectNode into, String key, long tokens, long per, long now) {
        long w = now / per;
        return redis.execute("HMGET", key, "w", "spent", "rsv").map(r -> {
            boolean current = r.get(0) != null && r.get(0).toLong() == w;
            long spent = current && r.get(1) != null ? r.get(1).toLong() : 0;
            into.put("tokens", tokens).put("spent", spent).put("left", Math.max(0, tokens - spent))
                    .put("reserved", current && r.get(2) != null ? r.get(2).toLong() : 0)
                    .put("resetsAt", java.time.Instant.ofEpochMilli((w + 1) * per).toString());
            return null;
        });
    }

    /**
     * {@code GET /admin/ops.json}: what the operations page ({@code /admin/ops.html}, a static file
     * that holds no data) draws — this replica's sockets, turns and wait line, read from its own
     * meters, and each backend's state, load, TTFT percentiles, errors by kind and last problem.
     */
    private void ops(RoutingContext rc) {
        if (!authorized(rc)) {
            return;
        }
        ObjectNode root = json.createObjectNode().put("replica", replica.id())
                .put("socketsOpen", gauge("switchboard.sockets.open"))
                .put("turnsInFlight", gauge("switchboard.turns.inflight"))
                .put("waitingForBackend", gauge("switchboard.pool.queued"));
        ArrayNode list = root.putArray("backends");
        for (Backend b : pool.backends()) {
            ObjectNode n = list.addObject().put("name", b.name())
                    .put("state", b.health().state().name().toLowerCase())
                    .put("inflight", b.inflight()).put("maxConcurrent", b.spec().maxConcurrent())
                    .put("ttftP50Ms", b.ttftPercentile(50)).put("ttftP95Ms", b.ttftPercentile(95))
                    .put("modelLoaded", b.warmth().name().toLowerCase().replace("cold", "not loaded"))
                    .put("reason", b.health().lastReason());
            ObjectNode errors = n.putObject("errors");
            meters.find("switchboard.backend.errors").tag("backend", b.name()).counters()
                    .forEach(c -> errors.put(c.getId().getTag("kind"), (long) c.count()));
        }
        rc.response().putHeader("Cache-Control", "no-store");
        reply(rc, 200, root);
    }

    private long gauge(String name) {
        io.micrometer.core.instrument.Gauge g = meters.find(name).gauge();
        return g == null ? 0 : Math.round(g.value());
    }

    private void backends(RoutingContext rc) {
        if (!authorized(rc)) {
            return;
        }
        ObjectNode root = json.createObjectNode().put("strategy", pool.spec().strategy());
        ArrayNode list = root.putArray("backends");
        for (Backend b : pool.backends()) {
            ObjectNode n = list.addObject()
                    .put("name", b.name())
                    .put("provider", b.spec().provider().id())
                    .put("baseUrl", b.spec().baseUrl().toString())
                    .put("model", b.spec().model())
                    .put("backup", b.spec().backup())
                    .put("weight", b.weight())
                    .put("maxConcurrent", b.spec().maxConcurrent())
                    .put("inflight", b.inflight())
                    .put("state", b.health().state().name().toLowerCase())
                    .put("reason", b.health().lastReason())
                    // Ollama's /api/ps: loaded, cold (the pool prefers others), unknown (not Ollama, or not probed yet)
                    .put("modelLoaded", b.warmth().name().toLowerCase().replace("cold", "not loaded"));
            if (b.ttftEwmaMillis() >= 0) {
                n.put("ttftEwmaMs", Math.round(b.ttftEwmaMillis() * 10) / 10.0);
            }
            b.spec().serves().forEach(n.putArray("serves")::add);
        }
        reply(rc, 200, root);
    }

    private static void reply(RoutingContext rc, int status, ObjectNode body) {
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }
}
