package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.WsClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that chat through a Redis failover the way a careful client does: a turn that gets
 * {@code store_unavailable} is resent with the same id until it is answered. Afterwards every
 * session's stored history is read back and checked.
 */
final class RedisFailover {
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    final AtomicInteger answered = new AtomicInteger();
    /** The longest time one turn took from its first send to its answer, resends included. */
    final AtomicLong longestTurnMillis = new AtomicLong();
    private final String ws;
    private final String prefix;
    private final int sessions;
    private final int turns;

    RedisFailover(String ws, String prefix, int sessions, int turns) {
        this.ws = ws;
        this.prefix = prefix;
        this.sessions = sessions;
        this.turns = turns;
    }

    String session(int i) {
        return prefix + "-" + i;
    }

    /** Runs every session's turns on its own virtual thread; {@code during} runs once they are under way. */
    void run(Runnable during) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicInteger started = new AtomicInteger();
        for (int s = 0; s < sessions; s++) {
            String id = session(s);
            threads.add(Thread.ofVirtual().start(() -> chat(id, started)));
        }
        org.awaitility.Awaitility.await("every session has begun").atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(20)).until(() -> started.get() >= sessions);
        during.run();
        for (Thread t : threads) {
            t.join(120_000);
        }
    }

    private void chat(String id, AtomicInteger started) {
        try (WsClient c = WsClient.connect(ws, id)) {
            for (int n = 0; n < turns; n++) {
                long t0 = System.nanoTime();
                while (true) {
                    JsonNode f = c.send(Map.of("type", "message", "id", "t" + n, "data", "turn " + n)).next(30);
                    if ("reply".equals(f.path("type").asText())) {
                        break;
                    }
                    errors.computeIfAbsent(f.path("code").asText(), k -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(200); // a client's pause before it resends
                }
                answered.incrementAndGet();
                longestTurnMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                if (n == 0) {
                    started.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads each session back: well formed (each user message followed by its answer, message ids
     * in order, none twice) and how many answered turns are missing — the writes asynchronous replication lost.
     */
    int checkStoredAndCountLost() {
        int lost = 0;
        for (int s = 0; s < sessions; s++) {
            try (WsClient c = WsClient.connect(ws, session(s))) {
                JsonNode messages = c.send(Map.of("type", "history", "limit", 500)).next(30).path("messages");
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < messages.size(); i += 2) {
                    JsonNode user = messages.get(i);
                    JsonNode answer = messages.get(i + 1);
                    assertEquals("user", user.path("role").asText(), session(s) + " " + messages);
                    assertEquals("assistant", answer.path("role").asText(), session(s) + " " + messages);
                    ids.add(user.path("id").asText());
                }
                assertEquals(ids.stream().distinct().count(), ids.size(), "no turn stored twice: " + ids);
                for (int i = 1; i < ids.size(); i++) {
                    assertTrue(Integer.parseInt(ids.get(i).substring(1)) > Integer.parseInt(ids.get(i - 1).substring(1)), "in order: " + ids);
                }
                lost += turns - ids.size();
            }
        }
        return lost;
    }
}
