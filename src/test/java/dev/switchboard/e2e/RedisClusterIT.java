package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.BinUpStack;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tier on a real Redis Cluster (bin/up --redis cluster: three masters, one replica each, on
 * loopback): sessions spread over all masters, every session operation works, and a master
 * SIGKILLed while turns run is replaced by its replica with bounded errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {
    static final int BASE = 17000;
    static final Path VAR = Path.of("target/cluster-var").toAbsolutePath();
    static final String WS = "ws://127.0.0.1:18680";
    static final StackScripts STACK = new StackScripts(VAR, 18680, 18681, 2, "redis://unused:1",
            Map.of("SB_REDIS_BASE", String.valueOf(BASE)));
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK).fresh("redis-cluster").with("--redis", "cluster");

    /** The ports of the nodes that are masters now (a killed node is none). */
    static List<Integer> masters() {
        List<Integer> out = new ArrayList<>();
        for (int p = BASE; p < BASE + 6; p++) {
            try (RedisProbe node = new RedisProbe("127.0.0.1", p)) {
                if ("master".equals(((List<?>) node.call("role")).get(0))) {
                    out.add(p);
                }
            } catch (java.io.UncheckedIOException gone) {
                // SIGKILLed
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void sessions_spread_over_all_three_masters_and_every_operation_works() throws Exception {
        for (int s = 0; s < 24; s++) {
            String id = "spread-" + s;
            try (WsClient c = WsClient.connect(WS, id)) {
                JsonNode first = c.send(Map.of("type", "message", "id", "a", "data", "please get me sales")).nextOfType("reply");
                assertEquals("sales", first.path("agentName").asText(), "a handoff: state and history in one slot");
                assertTrue(c.send(Map.of("type", "message", "id", "a", "data", "again")).next().path("replayed").asBoolean(),
                        "a resend is replayed from the stored answers");
                assertEquals(4, c.send(Map.of("type", "history")).next().path("messages").size());
                assertEquals("reset", c.send(Map.of("type", "reset")).next().path("type").asText());
                JsonNode after = c.send(Map.of("type", "message", "id", "b", "data", "hello")).next();
                assertEquals("triage", after.path("agentName").asText());
            }
        }
        List<Integer> masters = masters();
        assertEquals(3, masters.size());
        for (int m : masters) {
            long keys;
            try (RedisProbe master = new RedisProbe("127.0.0.1", m)) {
                keys = (Long) master.call("eval", "return #redis.call('keys', 'sb:{spread-*')", "0");
            }
            assertTrue(keys > 0, "master " + m + " holds sessions too");
        }
    }

    @Test
    @Order(2)
    void a_master_killed_while_turns_run_is_replaced_by_its_replica_with_bounded_errors() throws Exception {
        RedisFailover load = new RedisFailover(WS, "fo", 12, 15);
        int victim = masters().get(0);
        load.run(() -> STACK.process("redis-" + victim).destroyForcibly());
        assertEquals(12 * 15, load.answered.get(), "every turn was answered in the end");
        assertTrue(load.errors.keySet().stream().allMatch("store_unavailable"::equals),
                "the only error is store_unavailable: " + load.errors);
        assertEquals(3, masters().size(), "the replica of the killed master was promoted");
        int lost = load.checkStoredAndCountLost();
        System.out.printf("[cluster failover] answered=%d errors=%s longest turn=%d ms lost writes=%d%n",
                load.answered.get(), load.errors, load.longestTurnMillis.get(), lost);
        assertEquals(0, lost, "no acknowledged turn lost: bin/up waits until every replica has synced (RELIABILITY.md row 3)");
        assertTrue(load.longestTurnMillis.get() < 25_000, "the outage is bounded: " + load.longestTurnMillis.get() + " ms");
    }
}
