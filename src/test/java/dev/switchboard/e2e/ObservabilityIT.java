package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.BinUpStack;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped dashboard and rules against a real Prometheus: {@code bin/up --observe} (Debian's
 * prometheus scraping two replicas), a little load through nginx, then every query of
 * {@code deploy/grafana/switchboard.json} must return data (a panel that shows nothing is a defect),
 * the rules must load, and {@code promtool} must pass the rule files and their unit tests.
 */
class ObservabilityIT {
    static final int NGINX = 18980;
    static final int PROMETHEUS = 18990;
    static final Path VAR = Path.of("target/observe-var").toAbsolutePath();
    static final StackScripts STACK = new StackScripts(VAR, NGINX, 18981, 2,
            System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:16379"),
            Map.of("SB_PROMETHEUS_PORT", String.valueOf(PROMETHEUS),
                    "SWITCHBOARD_SWARM_FILE", Path.of("src/test/resources/swarm-observe.yaml").toAbsolutePath().toString()));
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK).fresh("prometheus").with("--observe");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicBoolean LOADING = new AtomicBoolean(true);
    private static final AtomicInteger ANSWERED = new AtomicInteger();
    private static Thread load;

    /**
     * Turns through nginx for as long as the class runs (rates need samples in every scrape window):
     * one socket that stays open, one turn after another, so the address's handshake budget is left
     * to the tests' own sessions.
     */
    @BeforeAll
    static void someLoad() {
        load = Thread.ofVirtual().start(() -> {
            int i = 0;
            while (LOADING.get()) {
                try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, "observe-" + i)) {
                    for (int t = 0; LOADING.get(); t++) {
                        JsonNode r = c.send(Map.of("type", "message", "id", "o-" + t, "data", "hello " + t)).next(10);
                        if ("reply".equals(r.path("type").asText())) {
                            ANSWERED.incrementAndGet();
                        }
                        // a pace, not a wait: four turns a second keeps the session under its default rate (5/s)
                        java.util.concurrent.locks.LockSupport.parkNanos(250_000_000L);
                    }
                } catch (RuntimeException | AssertionError e) {
                    // the stack went away under it (the class is ending): a new socket, a new session
                }
                i++;
            }
        });
    }

    @AfterAll
    static void stopLoad() throws InterruptedException {
        LOADING.set(false);
        load.join(Duration.ofSeconds(15));
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The query's values now, "NaN" included. */
    private static List<String> values(String expr) throws Exception {
        JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        assertEquals("success", r.path("status").asText(), r.toString());
        List<String> out = new ArrayList<>();
        r.path("data").path("result").forEach(s -> out.add(s.path("value").get(1).asText()));
        return out;
    }

    @Test
    void every_dashboard_query_returns_data_from_the_replicas() throws Exception {
        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/switchboard.json").toFile());
        List<String[]> queries = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t ->
                queries.add(new String[]{p.path("title").asText(), t.path("expr").asText()})));
        assertTrue(queries.size() >= 20, "the dashboard's queries: " + queries.size());
        Awaitility.await("answered turns").atMost(Duration.ofSeconds(60)).until(() -> ANSWERED.get() >= 20);
        for (String[] q : queries) {
            // two scrapes of a moving counter are needed before a rate has a value
            Awaitility.await(q[0] + ": " + q[1]).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> values(q[1]).stream().anyMatch(v -> !"NaN".equals(v)));
        }
    }

    @Test
    void the_rules_are_loaded_and_no_alert_fires_on_a_healthy_stack() throws Exception {
        Awaitility.await("rule evaluation").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> get("/api/v1/rules").path("data").path("groups").size() == 2
                        && !values("switchboard:turns:rate1m").isEmpty());
        JsonNode alerts = get("/api/v1/alerts").path("data").path("alerts");
        assertEquals(0, alerts.size(), "a healthy stack fires nothing: " + alerts);
        JsonNode targets = get("/api/v1/targets").path("data").path("activeTargets");
        assertEquals(2, targets.size(), targets.toString());
        targets.forEach(t -> assertEquals("up", t.path("health").asText(), t.toString()));
    }

    /** Issue 24's group test across replicas: the same Redis script holds the bound whichever replica runs a turn. */
    @Test
    void eight_sessions_of_a_group_spread_over_both_replicas_stop_within_one_turn_each() throws Exception {
        for (int port : new int[]{11931, 11932}) { // every completion reports 15 tokens
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_sim/usage"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"input\":10,\"output\":5}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        }
        try (RedisProbe redis = RedisProbe.local()) {
            redis.call("DEL", "sb:budget:{team-}");
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            java.util.Set<String> replicas = java.util.concurrent.ConcurrentHashMap.newKeySet();
            // All eight sockets open before the first turn, so least_conn spreads them over both replicas;
            // sessions one after another would each find the same replica the least loaded.
            List<WsClient> clients = new ArrayList<>();
            List<java.util.concurrent.CompletableFuture<Void>> sessions = new ArrayList<>();
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int s = 0; s < 8; s++) {
                    clients.add(WsClient.connect("ws://127.0.0.1:" + NGINX, "team-" + s + "-" + java.util.UUID.randomUUID()));
                }
                for (WsClient c : clients) {
                    sessions.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                        for (int t = 0; t < 20; t++) {
                            JsonNode r = c.send(Map.of("type", "message", "id", "g" + t, "data", "group turn " + t)).next(20);
                            if ("reply".equals(r.path("type").asText())) {
                                answered.incrementAndGet();
                                replicas.add(r.path("replica").asText());
                            } else if ("budget_exceeded".equals(r.path("code").asText())) {
                                refused.incrementAndGet();
                            } else {
                                throw new AssertionError("unexpected frame " + r);
                            }
                        }
                    }, threads));
                }
                java.util.concurrent.CompletableFuture.allOf(sessions.toArray(java.util.concurrent.CompletableFuture[]::new))
                        .get(120, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                clients.forEach(WsClient::close);
            }
            int a = answered.get();
            assertEquals(2, replicas.size(), "both replicas ran turns of the group: " + replicas);
            assertTrue(a >= 40 && a <= 48, "600 tokens at 15 a turn: 40, at most one more per session: " + a);
            assertEquals(160, a + refused.get());
            assertEquals(String.valueOf(15L * a), String.valueOf(redis.call("HGET", "sb:budget:{team-}", "spent")),
                    "the group counter is every answered turn's 15 tokens");
        }
    }

    @Test
    void promtool_checks_the_config_and_the_rules_and_passes_their_unit_tests() throws Exception {
        for (List<String> command : List.of(
                List.of("promtool", "check", "config", VAR.resolve("prometheus/prometheus.yml").toString()),
                List.of("promtool", "check", "rules", "deploy/prometheus/alerts.yml"),
                List.of("promtool", "test", "rules", "deploy/prometheus/alerts_test.yml"))) {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
            assertTrue(out.contains("SUCCESS"), out);
        }
    }
}
