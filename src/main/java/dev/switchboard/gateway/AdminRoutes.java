package dev.switchboard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.llm.Backend;
import dev.switchboard.llm.BackendPool;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * {@code GET /admin/backends}: the pool of this replica as JSON (state, in flight, smoothed time to
 * first token, why a backend is down). Needs {@code Authorization: Bearer <sb.admin.api-key>}; off
 * (403) while no key is set, so a fresh install does not expose it.
 */
@ApplicationScoped
public class AdminRoutes {
    private final BackendPool pool;
    private final ObjectMapper json;
    private final BearerKeys keys;

    public AdminRoutes(BackendPool pool, ObjectMapper json, SwitchboardConfig config) {
        this.pool = pool;
        this.json = json;
        this.keys = new BearerKeys(config.admin().apiKey().map(List::of).orElse(List.of()));
    }

    void routes(@Observes Router router) {
        router.get("/admin/backends").handler(this::backends);
    }

    private void backends(RoutingContext rc) {
        if (keys.open()) {
            reply(rc, 403, json.createObjectNode().put("error", "the admin API is off: set SB_ADMIN_API_KEY"));
            return;
        }
        if (!keys.accepts(rc.request().getHeader("Authorization"))) {
            reply(rc, 401, json.createObjectNode().put("error", "Authorization: Bearer <admin key> required"));
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
