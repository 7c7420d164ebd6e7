package dev.switchboard.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.session.SessionSpend;
import dev.switchboard.session.SessionState;
import dev.switchboard.session.SessionStore;
import dev.switchboard.session.TurnStart;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Budgets through the socket, counted from what the simulator reports (15 tokens a completion):
 * a session's own allowance per window, a group shared by concurrent sessions, the usage frame,
 * and an agent's per-turn output bound.
 */
@QuarkusTest
@TestProfile(BudgetTest.Budgets.class)
@QuarkusTestResource(SimulatorResource.class)
class BudgetTest {

    public static class Budgets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.swarm-file", "src/test/resources/swarm-budget.yaml");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    RedisDataSource redis;

    @Inject
    SessionStore store;

    @BeforeEach
    void fixedCost() {
        SimulatorResource.B.reportUsage(10, 5);
        redis.key().del("sb:budget:{team-}");
    }

    @AfterEach
    void estimatedAgain() {
        SimulatorResource.B.reportEstimatedUsage();
    }

    private WsClient connect(String clientId) {
        return WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), clientId);
    }

    private static JsonNode turn(WsClient c, String id, String text) {
        JsonNode f = c.send(Map.of("type", "message", "id", id, "data", text)).next(10);
        while ("token".equals(f.path("type").asText()) || "agent".equals(f.path("type").asText())) {
            f = c.next(10);
        }
        return f;
    }

    @Test
    void a_session_gets_exactly_its_allowance_per_window_then_budget_exceeded_until_the_window_ends() {
        // start just after a 4 s window began, so that the eleven turns fall in one window
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> System.currentTimeMillis() % 4_000 < 300);
        try (WsClient c = connect("solo-" + UUID.randomUUID())) {
            for (int i = 1; i <= 10; i++) {
                JsonNode r = turn(c, "m" + i, "turn " + i);
                assertEquals("reply", r.path("type").asText(), "turn " + i + ": " + r);
                assertEquals(10, r.path("usage").path("input").asInt(), r.toString());
                assertEquals(5, r.path("usage").path("output").asInt(), r.toString());
                assertEquals(150 - 15 * i, r.path("budget").path("left").asInt(), r.toString());
            }
            JsonNode refused = turn(c, "m11", "one more");
            assertEquals("error", refused.path("type").asText(), refused.toString());
            assertEquals("budget_exceeded", refused.path("code").asText());
            long retryAfter = refused.path("retryAfter").asLong();
            assertTrue(retryAfter > 0 && retryAfter <= 4, refused.toString());

            JsonNode usage = c.send(Map.of("type", "usage")).nextOfType("usage");
            assertEquals(100, usage.path("input").asInt(), usage.toString());
            assertEquals(50, usage.path("output").asInt());
            JsonNode session = usage.path("budgets").get(0);
            assertEquals("session", session.path("name").asText());
            assertEquals(0, session.path("left").asInt(), usage.toString());

            JsonNode history = c.send(Map.of("type", "history", "limit", 100)).nextOfType("history");
            assertEquals(20, history.path("messages").size(), "the refused turn stored nothing");

            // the window ends: answered again, the same message id (nothing was stored for it)
            Awaitility.await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "reply".equals(turn(c, "m11", "one more").path("type").asText()));
        }
    }

    @Test
    void concurrent_sessions_of_a_group_stop_within_one_turn_each_of_its_budget() throws Exception {
        long before = SimulatorResource.B.reportedTokens();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<CompletableFuture<Void>> sessions = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            String clientId = "team-" + s + "-" + UUID.randomUUID();
            sessions.add(CompletableFuture.runAsync(() -> {
                try (WsClient c = connect(clientId)) {
                    for (int i = 0; i < 20; i++) {
                        JsonNode r = turn(c, "g" + i, "group turn " + i);
                        if ("reply".equals(r.path("type").asText())) {
                            answered.incrementAndGet();
                        } else if ("budget_exceeded".equals(r.path("code").asText())) {
                            refused.incrementAndGet();
                        } else {
                            throw new AssertionError("unexpected frame " + r);
                        }
                    }
                }
            }));
        }
        CompletableFuture.allOf(sessions.toArray(CompletableFuture[]::new)).get();
        int a = answered.get();
        assertTrue(a >= 40 && a <= 48, "600 tokens at 15 a turn: 40 turns, and at most one more per session: " + a);
        assertEquals(160, a + refused.get());
        long seen = SimulatorResource.B.reportedTokens() - before;
        assertEquals(15L * a, seen, "every answered turn cost one completion");
        assertEquals(String.valueOf(seen), redis.hash(String.class).hget("sb:budget:{team-}", "spent"),
                "the group's counter is what the simulator reported");
    }

    @Test
    void an_agents_max_tokens_goes_to_the_backend_bounded_by_what_its_turn_has_left() {
        try (WsClient c = connect("terse-" + UUID.randomUUID())) {
            JsonNode first = turn(c, "h1", "let terse answer this");
            assertEquals("terse", first.path("agentName").asText(), first.toString());
            assertEquals(3, SimulatorResource.B.lastMaxTokens(),
                    "max-turn-tokens 8, and triage's completion of this turn wrote 5 of them");
            turn(c, "h2", "and now?");
            assertEquals(8, SimulatorResource.B.lastMaxTokens(), "a new turn: min(max-tokens 40, max-turn-tokens 8)");
        }
    }

    @Test
    void with_a_session_and_a_group_budget_a_turn_still_costs_two_redis_round_trips() throws Exception {
        String clientId = "team-rt-" + UUID.randomUUID();
        try (WsClient c = connect(clientId)) {
            turn(c, "w", "warm up");
            List<String> commands = RedisProbe.monitor(() -> {
                for (int i = 0; i < 4; i++) {
                    assertEquals("reply", turn(c, "rt" + i, "counted " + i).path("type").asText());
                }
            }, clientId);
            assertEquals(8, commands.size(), commands.toString());
            assertTrue(commands.stream().allMatch(cmd -> cmd.toUpperCase().startsWith("\"EVALSHA\"")), commands.toString());
            assertTrue(commands.get(0).contains("sb:budget:{team-}"), "the group's key goes with the turn's script: " + commands.get(0));
        }
    }

    @Test
    void a_failed_turn_counts_what_it_spent_and_a_dead_turns_reservation_is_taken_back() {
        String id = "team-rsv-" + UUID.randomUUID();
        String group = "sb:budget:{team-}";
        // a turn that cost 15: the session's next turns reserve 15 in each budget while they run
        TurnStart.Started first = (TurnStart.Started) store.begin(id, null, 10).await().indefinitely();
        store.commit(first.lease(), null, "{}", new SessionState("triage", List.of(), Map.of()), List.of(), 10, 5)
                .await().indefinitely();
        assertEquals("15", redis.hash(String.class).hget(group, "spent"));

        // a turn that failed after its completions: nothing stored, but 40 tokens were spent at the backend
        TurnStart.Started failing = (TurnStart.Started) store.begin(id, null, 10).await().indefinitely();
        assertEquals("15", redis.hash(String.class).hget(group, "rsv"), "the running turn reserved the last turn's cost");
        store.release(failing.lease(), 30, 10);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> "55".equals(redis.hash(String.class).hget(group, "spent")));
        assertEquals("0", redis.hash(String.class).hget(group, "rsv"), "the release took the reservation back");

        // a turn whose replica died: its lease expires, its reservation stays until the next turn begins
        TurnStart.Started dead = (TurnStart.Started) store.begin(id, null, 10).await().indefinitely();
        assertEquals("40", redis.hash(String.class).hget(group, "rsv"), "reserves what the last (failed) turn cost");
        redis.key().del("sb:{" + id + "}:lease");
        TurnStart.Started next = (TurnStart.Started) store.begin(id, null, 10).await().indefinitely();
        assertEquals("40", redis.hash(String.class).hget(group, "rsv"), "the dead turn's 40 came off, the new turn's 40 went on");
        store.commit(next.lease(), null, "{}", new SessionState("triage", List.of(), Map.of()), List.of(), 1, 1)
                .await().indefinitely();
        assertEquals("0", redis.hash(String.class).hget(group, "rsv"));
        assertEquals("57", redis.hash(String.class).hget(group, "spent"));
        SessionSpend spend = store.spend(id).await().indefinitely();
        assertEquals(41, spend.input());
        assertEquals(16, spend.output());
        assertTrue(dead.lease().fence() < next.lease().fence());
    }

    @Test
    void a_tool_loop_counts_every_completion_of_the_turn() {
        try (WsClient c = connect("tools-" + UUID.randomUUID())) {
            JsonNode r = turn(c, "t1", "what is it? [[sim:tool=calculator {\"expression\":\"6 * 7\"}]]");
            assertEquals("reply", r.path("type").asText(), r.toString());
            assertEquals(20, r.path("usage").path("input").asInt(), "two completions: the call and the answer " + r);
            assertEquals(10, r.path("usage").path("output").asInt());
        }
    }
}
