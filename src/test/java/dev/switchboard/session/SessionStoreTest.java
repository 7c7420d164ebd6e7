package dev.switchboard.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.SimulatorResource;
import dev.switchboard.testing.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session store against a real Redis, watched through a separate RESP connection. */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class SessionStoreTest {

    @Inject
    SessionStore store;

    @TestHTTPResource("/")
    URL root;

    private static String client() {
        return "s-" + UUID.randomUUID();
    }

    @Test
    void a_turn_costs_exactly_two_redis_round_trips_whatever_the_history_length() throws Exception {
        String id = client();
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), id)) {
            c.send("warm up").next();
            for (int turns : new int[]{3, 10}) {
                List<String> commands = RedisProbe.monitor(() -> {
                    for (int i = 0; i < turns; i++) {
                        c.send("counted turn " + i).next();
                    }
                }, id);
                assertEquals(2 * turns, commands.size(), "commands sent by the replica: " + commands);
                assertTrue(commands.stream().allMatch(cmd -> cmd.toUpperCase().startsWith("\"EVALSHA\"")), commands.toString());
            }
        }
    }

    @Test
    void stored_history_is_trimmed_to_max_history_and_every_key_expires() {
        String id = client();
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), id);
             RedisProbe redis = RedisProbe.local()) {
            for (int i = 0; i < 25; i++) { // 50 messages, max-history 40 (swarm-test.yaml)
                c.send("turn " + i).next();
            }
            SessionKeys keys = SessionKeys.of(id);
            assertEquals(40L, redis.call("LLEN", keys.history()));
            JsonNode history = c.send(java.util.Map.of("type", "history", "limit", 100)).next().path("messages");
            assertEquals(40, history.size());
            assertEquals("turn 5", history.get(0).path("content").asText(), "the oldest five turns went");
            for (String key : List.of(keys.history(), keys.state())) {
                long ttl = (Long) redis.call("PTTL", key);
                assertTrue(ttl > 0 && ttl <= 3_600_000, key + " expires within history-ttl: " + ttl);
            }
        }
    }

    @Test
    void an_oversized_history_is_trimmed_to_its_byte_cap_oldest_first() {
        String id = client();
        try (WsClient c = WsClient.connect("ws://" + root.getHost() + ":" + root.getPort(), id);
             RedisProbe redis = RedisProbe.local()) {
            String big = "x".repeat(15_000);
            for (int i = 0; i < 12; i++) { // each turn stores ~15 KB twice (the simulator echoes it): ~360 KB asked for
                c.send("turn " + i + " " + big).next();
            }
            SessionKeys keys = SessionKeys.of(id);
            long stored = 0;
            @SuppressWarnings("unchecked")
            List<Object> entries = (List<Object>) redis.call("LRANGE", keys.history(), "0", "-1");
            for (Object e : entries) {
                stored += String.valueOf(e).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
            assertTrue(stored <= 65_536, "history holds " + stored + " bytes, the cap is 65,536");
            assertTrue(stored > 30_000, "the newest turns are kept: " + stored + " bytes");
            assertEquals(String.valueOf(stored), String.valueOf(redis.call("HGET", keys.state(), "hbytes")),
                    "the running byte count matches the list");
            JsonNode history = c.send(Map.of("type", "history", "limit", 100)).next().path("messages");
            assertTrue(history.get(history.size() - 1).path("content").asText().contains("turn 11"), "the newest turn is there");
        }
    }

    @Test
    void reset_empties_the_session_but_keeps_the_fence_growing() {
        String id = client();
        TurnStart.Started first = assertInstanceOf(TurnStart.Started.class, store.begin(id, "f-1", 10).await().indefinitely());
        assertFalse(store.reset(id).await().indefinitely(), "refused while the turn holds its lease");
        store.commit(first.lease(), "f-1", "{\"text\":\"hi\",\"agent\":\"sales\",\"replica\":\"test\"}",
                new SessionState("sales", List.of(), Map.of()), List.of(), 0, 0).await().indefinitely();
        assertTrue(store.reset(id).await().indefinitely());
        TurnStart.Started next = assertInstanceOf(TurnStart.Started.class, store.begin(id, "f-1", 10).await().indefinitely());
        assertEquals(new SessionState(null, List.of(), Map.of()), next.state(), "agent and answered ids are gone");
        assertTrue(next.lease().fence() > first.lease().fence(), "a turn from before the reset could never commit after it");
        store.release(next.lease(), 0, 0);
    }

    @Test
    void keys_are_hash_tagged_expire_and_the_lease_is_released() {
        String id = client();
        TurnStart.Started s = assertInstanceOf(TurnStart.Started.class, store.begin(id, "k-1", 10).await().indefinitely());
        assertEquals(new SessionState(null, List.of(), Map.of()), s.state());
        store.commit(s.lease(), "k-1", "{\"text\":\"hi\",\"agent\":\"triage\",\"replica\":\"test\"}",
                new SessionState("triage", List.of(), Map.of("name", "Ada")),
                List.of(HistoryMessage.user("k-1", "triage", "hello", 1), HistoryMessage.assistant("a-1", "triage", "hi", 2)), 0, 0).await().indefinitely();
        try (RedisProbe r = RedisProbe.local()) {
            assertEquals(2L, r.call("LLEN", "sb:{" + id + "}:history"));
            assertTrue((Long) r.call("PTTL", "sb:{" + id + "}:history") > 3_000_000, "history-ttl of the test swarm is 1h");
            assertTrue((Long) r.call("PTTL", "sb:{" + id + "}:state") > 3_000_000);
            assertEquals(0L, r.call("EXISTS", "sb:{" + id + "}:lease"));
        }
        TurnStart.Started next = assertInstanceOf(TurnStart.Started.class, store.begin(id, "k-2", 10).await().indefinitely());
        assertEquals("triage", next.state().activeAgent());
        assertEquals("Ada", next.state().memory().get("name"));
        assertEquals(List.of("hello", "hi"), next.window().stream().map(HistoryMessage::content).toList());
        store.release(next.lease(), 0, 0);
    }

    @Test
    void the_window_is_the_newest_messages_only() {
        String id = client();
        for (int i = 0; i < 6; i++) {
            TurnStart.Started s = (TurnStart.Started) store.begin(id, null, 0).await().indefinitely();
            store.commit(s.lease(), null, "{}", new SessionState("triage", List.of(), Map.of()),
                    List.of(HistoryMessage.user("u" + i, "triage", "m" + i, i)), 0, 0).await().indefinitely();
        }
        TurnStart.Started s = (TurnStart.Started) store.begin(id, null, 3).await().indefinitely();
        assertEquals(List.of("m3", "m4", "m5"), s.window().stream().map(HistoryMessage::content).toList());
        store.release(s.lease(), 0, 0);
    }

    @Test
    void a_second_turn_waits_for_the_lease_then_reports_busy() {
        String id = client();
        TurnStart.Started first = (TurnStart.Started) store.begin(id, "a", 10).await().indefinitely();
        long t0 = System.nanoTime();
        TurnStart.Busy busy = assertInstanceOf(TurnStart.Busy.class, store.begin(id, "b", 10).await().indefinitely());
        assertTrue(System.nanoTime() - t0 >= 2_500_000_000L, "waited for sb.session.lease-wait (3s in tests)");
        assertTrue(busy.holder().matches("test~[0-9a-f]+#[0-9]+"), "the lease names its owner, replica~incarnation#fence: " + busy.holder());
        store.release(first.lease(), 0, 0);
        assertInstanceOf(TurnStart.Started.class, store.begin(id, "b", 10).await().indefinitely());
    }

    @Test
    void a_turn_whose_lease_was_lost_cannot_write_over_the_newer_turn() {
        String id = client();
        TurnStart.Started old = (TurnStart.Started) store.begin(id, "old", 10).await().indefinitely();
        try (RedisProbe r = RedisProbe.local()) {
            r.call("DEL", "sb:{" + id + "}:lease"); // as if the lease expired while the old turn hung
        }
        TurnStart.Started newer = (TurnStart.Started) store.begin(id, "new", 10).await().indefinitely();
        assertTrue(newer.lease().fence() > old.lease().fence());
        SessionState st = new SessionState("triage", List.of(), Map.of());
        assertThrows(LeaseLostException.class, () -> store.commit(old.lease(), "old", "{}", st,
                List.of(HistoryMessage.user("old", "triage", "stale", 1)), 0, 0).await().indefinitely());
        store.commit(newer.lease(), "new", "{}", st, List.of(HistoryMessage.user("new", "triage", "fresh", 2)), 0, 0).await().indefinitely();
        assertEquals(List.of("fresh"), store.history(id, 10).await().indefinitely().stream().map(HistoryMessage::content).toList());
    }

    @Test
    void answered_ids_are_remembered_but_bounded() {
        String id = client();
        SessionState st = new SessionState("triage", List.of(), Map.of());
        for (int i = 0; i < 70; i++) {
            TurnStart.Started s = (TurnStart.Started) store.begin(id, "id-" + i, 0).await().indefinitely();
            store.commit(s.lease(), "id-" + i, "{\"text\":\"" + i + "\",\"agent\":\"triage\",\"replica\":\"test\"}", st, List.of(), 0, 0).await().indefinitely();
        }
        assertInstanceOf(TurnStart.Answered.class, store.begin(id, "id-69", 0).await().indefinitely());
        TurnStart forgotten = store.begin(id, "id-0", 0).await().indefinitely();
        assertInstanceOf(TurnStart.Started.class, forgotten, "the oldest of 70 ids fell out of the 64 kept");
        store.release(((TurnStart.Started) forgotten).lease(), 0, 0);
        try (RedisProbe r = RedisProbe.local()) {
            @SuppressWarnings("unchecked")
            List<Object> fields = (List<Object>) r.call("HKEYS", "sb:{" + id + "}:state");
            assertEquals(64, fields.stream().filter(f -> f.toString().startsWith("r:")).count());
            assertNull(r.call("HGET", "sb:{" + id + "}:state", "r:id-0"));
            assertFalse(fields.contains("r:id-5"));
            assertEquals("64", r.call("HGET", "sb:{" + id + "}:state", "ridn").toString());
        }
    }

    @Test
    void a_session_stored_without_an_id_count_is_counted_once_and_stays_bounded() {
        String id = client();
        SessionState st = new SessionState("triage", List.of(), Map.of());
        for (int i = 0; i < 66; i++) {
            if (i == 64) {
                try (RedisProbe r = RedisProbe.local()) { // as commit_turn stored it before ridn was kept
                    r.call("HDEL", "sb:{" + id + "}:state", "ridn");
                }
            }
            TurnStart.Started s = (TurnStart.Started) store.begin(id, "id-" + i, 0).await().indefinitely();
            store.commit(s.lease(), "id-" + i, "{\"text\":\"" + i + "\",\"agent\":\"triage\",\"replica\":\"test\"}", st, List.of(), 0, 0).await().indefinitely();
        }
        try (RedisProbe r = RedisProbe.local()) {
            String ids = r.call("HGET", "sb:{" + id + "}:state", "rids").toString();
            assertEquals(64, ids.split(" ").length);
            assertTrue(ids.startsWith("id-2 ") && ids.endsWith(" id-65"), ids);
            assertEquals("64", r.call("HGET", "sb:{" + id + "}:state", "ridn").toString());
            assertNull(r.call("HGET", "sb:{" + id + "}:state", "r:id-1"));
        }
    }
}
