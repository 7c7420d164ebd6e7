package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.RedisProbe;
import dev.switchboard.testing.BinUpStack;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tier on a real Sentinel setup (bin/up --redis sentinel: a primary, a replica, three
 * sentinels on loopback): the primary SIGKILLed while turns run; the sentinels promote the
 * replica and the replicas follow it.
 */
class RedisSentinelIT {
    static final int BASE = 17100;
    static final Path VAR = Path.of("target/sentinel-var").toAbsolutePath();
    static final String WS = "ws://127.0.0.1:18780";
    static final StackScripts STACK = new StackScripts(VAR, 18780, 18781, 2, "redis://unused:1",
            Map.of("SB_REDIS_BASE", String.valueOf(BASE)));
    @RegisterExtension
    static final BinUpStack UP = new BinUpStack(STACK).fresh("redis-sentinel").with("--redis", "sentinel");

    private static String primary() {
        try (RedisProbe sentinel = new RedisProbe("127.0.0.1", BASE + 2)) {
            List<?> addr = (List<?>) sentinel.call("sentinel", "get-master-addr-by-name", "mymaster");
            return addr.get(0) + ":" + addr.get(1);
        }
    }

    @Test
    void the_primary_killed_while_turns_run_is_replaced_and_every_turn_is_answered() throws Exception {
        try (WsClient c = WsClient.connect(WS, "sentinel-hello")) {
            JsonNode r = c.send(Map.of("type", "message", "id", "a", "data", "hello")).next();
            assertEquals("reply", r.path("type").asText(), r.toString());
        }
        assertEquals("127.0.0.1:" + BASE, primary());
        RedisFailover load = new RedisFailover(WS, "sfo", 12, 15);
        load.run(() -> STACK.process("redis-" + BASE).destroyForcibly());
        assertEquals(12 * 15, load.answered.get(), "every turn was answered in the end");
        assertTrue(load.errors.keySet().stream().allMatch("store_unavailable"::equals), "only store_unavailable: " + load.errors);
        assertEquals("127.0.0.1:" + (BASE + 1), primary(), "the sentinels promoted the replica");
        int lost = load.checkStoredAndCountLost();
        System.out.printf("[sentinel failover] answered=%d errors=%s longest turn=%d ms lost writes=%d%n",
                load.answered.get(), load.errors, load.longestTurnMillis.get(), lost);
        assertEquals(0, lost, "no acknowledged turn lost: bin/up waits until every replica has synced (RELIABILITY.md row 3)");
        assertTrue(load.longestTurnMillis.get() < 25_000, "the outage is bounded: " + load.longestTurnMillis.get() + " ms");
    }
}
