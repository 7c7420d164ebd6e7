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
 * first token, why a backend is down); {@code GET /admin/budgets}: group and gateway-key budgets. Needs {@code Authorization: Bearer <sb.admin.api-key>}; off
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

    public AdminRoutes(BackendPool pool, ObjectMapper json, SwitchboardConfig config, ReactiveRedisDataSource redis,
                       SwarmSpec swarm, KeyBudgets keyBudgets) {
        this.pool = pool;
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
