package dev.switchboard.e2e;

import dev.switchboard.edge.SessionTokens;
import dev.switchboard.testing.FakeBotApi;
import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Telegram bridge as it runs: bin/telegram processes against a fake Bot API, talking to a
 * bin/up stack (two replicas behind nginx) whose per-address limit is tight (1/s, burst 3), so a
 * bridge that were throttled by its one address would show it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelegramBridgeIT {
    static final int NGINX = 18580;
    static final int FIRST_REPLICA = 18581;
    static final int BOT_API = 18590;
    static final String KEY = "telegram-it-key";
    static final Path VAR = Path.of("target/telegram-var").toAbsolutePath();
    static final String REDIS_URL = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:16379");
    static final StackScripts STACK = new StackScripts(VAR, NGINX, FIRST_REPLICA, 2, REDIS_URL,
            Map.of("SB_AUTH_KEYS", KEY, "SB_LIMITS_IP_RATE", "1", "SB_LIMITS_IP_BURST", "3"));
    // a bot id of its own per run: the bridge's Redis keys (offset, pending) start empty
    static final String TOKEN = ThreadLocalRandom.current().nextLong(1_000_000, 9_999_999) + ":it-token";
    static final Duration WAIT = Duration.ofSeconds(40);
    static FakeBotApi telegram;
    static final List<Process> bridges = new ArrayList<>();
    static Process bridge;

    @BeforeAll
    static void up() throws Exception {
        STACK.run("bin/down");
        Process up = STACK.run("bin/up", "-d");
        assertEquals(0, up.exitValue(), "bin/up -d failed: " + Files.readString(VAR.resolve("up.log")));
        try (var logs = Files.newDirectoryStream(VAR.resolve("log"), "bridge-*.log")) {
            for (Path old : logs) {
                Files.delete(old); // the tests read these logs: start from empty ones
            }
        }
        telegram = new FakeBotApi(BOT_API, TOKEN);
        bridge = startBridge("a");
    }

    @AfterAll
    static void down() throws Exception {
        for (Process p : bridges) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (telegram != null) {
            telegram.close();
        }
        STACK.run("bin/down");
    }

    static Process startBridge(String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bin/telegram").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(VAR.resolve("log/bridge-" + name + ".log").toFile()));
        pb.environment().putAll(Map.of("TELEGRAM_BOT_TOKEN", TOKEN, "TELEGRAM_API_URL", "http://127.0.0.1:" + BOT_API,
                "SWITCHBOARD_WS_URL", "ws://127.0.0.1:" + NGINX + "/chat", "REDIS_URL", REDIS_URL, "SB_AUTH_KEYS", KEY,
                "TELEGRAM_LEASE_TTL", "2s", "TELEGRAM_POLL_TIMEOUT", "5s", "SB_VAR", VAR.toString()));
        Process p = pb.start();
        bridges.add(p);
        return p;
    }

    static List<String> repliesTo(long chat, int count) throws InterruptedException {
        telegram.await("sendMessage", calls -> telegram.sentTo(chat).size() >= count, WAIT);
        return telegram.sentTo(chat);
    }

    @Test
    @Order(1)
    void each_chat_is_its_own_session_and_is_answered_in_order() throws Exception {
        telegram.userWrites(1001, "hello one");
        telegram.userWrites(1002, "hello two");
        telegram.userWrites(1001, "again one");
        List<String> one = repliesTo(1001, 2);
        List<String> two = repliesTo(1002, 1);
        assertTrue(one.get(0).matches("\\(sim e2e-\\w+\\) users=1 said=\"hello one\".*"), one.get(0));
        assertTrue(one.get(1).matches("\\(sim e2e-\\w+\\) users=2 said=\"again one\".*"), one.get(1));
        assertTrue(two.get(0).matches("\\(sim e2e-\\w+\\) users=1 said=\"hello two\".*"), two.get(0));
        assertTrue(telegram.calls("sendChatAction").stream().anyMatch(c -> c.chatId() == 1001
                && "typing".equals(c.params().getString("action"))), "typing… while the turn ran");
        var first = telegram.calls("sendMessage").stream().filter(c -> c.chatId() == 1002).findFirst().orElseThrow();
        assertTrue(first.params().getJsonObject("reply_parameters").getLong("message_id") > 0, "answers quote the message");
    }

    @Test
    @Order(2)
    void commands_and_non_text_updates() throws Exception {
        long chat = 1003;
        telegram.userWrites(chat, "/start");
        telegram.userWrites(chat, "I want to talk to sales");
        telegram.userWrites(chat, "/agent");
        telegram.userWrites(chat, "/history");
        telegram.userWrites(chat, "/reset");
        telegram.userWrites(chat, "/agent@SwitchboardBot");
        telegram.userSendsSticker(chat);
        List<String> out = repliesTo(chat, 7);
        assertTrue(out.get(0).startsWith("Hi! I am an assistant of Switchboard.") && out.get(0).contains("/reset"), out.get(0));
        assertTrue(out.get(1).contains("said=\"I want to talk to sales\" system=\"You are sales."), out.get(1));
        assertEquals("You are talking to sales.", out.get(2));
        assertTrue(out.get(3).startsWith("You: I want to talk to sales\n\nsales: (sim"), out.get(3));
        assertEquals("Started a new conversation.", out.get(4));
        assertEquals("Nobody has answered yet: the first agent of the swarm will.", out.get(5));
        assertEquals("Sorry, I can only read text messages. Please type your question.", out.get(6));
    }

    @Test
    @Order(3)
    void a_long_answer_is_split_into_messages_of_at_most_4096_characters() throws Exception {
        long chat = 1004;
        telegram.userWrites(chat, "tell me everything [[sim:long=1500]]");
        telegram.await("sendMessage", calls -> telegram.sentTo(chat).size() >= 2
                && telegram.sentTo(chat).get(telegram.sentTo(chat).size() - 1).length() < 4096, WAIT);
        List<String> pieces = telegram.sentTo(chat);
        pieces.forEach(p -> assertTrue(!p.isEmpty() && p.length() <= 4096, "piece of " + p.length()));
        String stored;
        String token = new SessionTokens(List.of(KEY)).mint("tg-" + chat, Instant.now().plusSeconds(60));
        try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, "tg-" + chat + "&token=" + token)) {
            var history = c.send(Map.of("type", "history", "limit", 10)).next();
            var messages = history.path("messages");
            stored = messages.get(messages.size() - 1).path("content").asText();
        }
        assertTrue(stored.length() > 4096, "the answer needed splitting: " + stored.length());
        assertEquals(stored.replaceAll("\\s+", " "), String.join(" ", pieces).replaceAll("\\s+", " "),
                "the pieces, in order, are the whole answer");
    }

    @Test
    @Order(4)
    void flood_control_429_and_a_failing_getUpdates_lose_nothing() throws Exception {
        long chat = 1005;
        telegram.fail("getUpdates", 502, 0);
        telegram.fail("sendMessage", 429, 1);
        telegram.userWrites(chat, "through the storm");
        telegram.userWrites(chat, "and after it");
        List<String> out = repliesTo(chat, 2);
        assertEquals(2, telegram.faultsServed(), "both faults were hit");
        assertTrue(out.get(0).contains("said=\"through the storm\""), out.get(0));
        assertTrue(out.get(1).contains("users=2 said=\"and after it\""), out.get(1));
        assertEquals(2, out.size(), "nothing was sent twice");
    }

    @Test
    @Order(5)
    void a_bridge_killed_mid_turn_and_restarted_loses_nothing_and_answers_once() throws Exception {
        long chat = 1006;
        long slow = telegram.userWrites(chat, "slow one [[sim:delay=2500]]");
        telegram.await("sendChatAction", calls -> calls.stream().anyMatch(c -> c.chatId() == chat), WAIT);
        bridge.destroyForcibly(); // SIGKILL: no lease given back, the turn is running on a replica
        bridge.waitFor(10, TimeUnit.SECONDS);
        telegram.userWrites(chat, "while the bridge is down");
        bridge = startBridge("b");
        List<String> out = repliesTo(chat, 2);
        assertTrue(out.get(0).contains("users=1 said=\"slow one\""), out.get(0));
        assertTrue(out.get(1).contains("users=2 said=\"while the bridge is down\""), out.get(1));
        telegram.userWrites(chat, "and later");
        out = repliesTo(chat, 3);
        assertTrue(out.get(2).contains("users=3 said=\"and later\""), out.get(2));
        assertEquals(3, out.size(), "the slow update was answered once: " + out + " (update " + slow + ")");
    }

    @Test
    @Order(6)
    void two_bridges_at_once_only_one_polls_and_the_other_takes_over() throws Exception {
        Process second = startBridge("c");
        awaitLog("c", "started");
        for (long chat = 1010; chat < 1013; chat++) {
            telegram.userWrites(chat, "hi from " + chat);
        }
        for (long chat = 1010; chat < 1013; chat++) {
            assertEquals(1, repliesTo(chat, 1).size());
        }
        assertEquals(0, telegram.conflicts(), "never two getUpdates at once");
        // the first bridge polls (it held the lease); kill it and the standby takes over
        assertFalse(Files.readString(VAR.resolve("log/bridge-c.log")).contains("polls Telegram now"), "c stood by");
        bridge.destroyForcibly();
        bridge.waitFor(10, TimeUnit.SECONDS);
        telegram.userWrites(1013, "who answers now?");
        assertTrue(repliesTo(1013, 1).get(0).contains("said=\"who answers now?\""));
        awaitLog("c", "polls Telegram now");
        assertEquals(0, telegram.conflicts());
        bridge = second;
    }

    @Test
    @Order(7)
    void many_chats_from_one_bridge_are_not_throttled_by_its_address_but_an_anonymous_socket_is() throws Exception {
        for (long chat = 1100; chat < 1112; chat++) {
            telegram.userWrites(chat, "burst " + chat);
        }
        for (long chat = 1100; chat < 1112; chat++) {
            String reply = repliesTo(chat, 1).get(0);
            assertTrue(reply.contains("said=\"burst " + chat + "\""), reply);
        }
        try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, "anon-" + System.nanoTime())) {
            boolean limited = false;
            for (int i = 0; i < 8 && !limited; i++) {
                c.send(Map.of("type", "history", "limit", 1));
                var f = c.next();
                limited = "rate_limited".equals(f.path("code").asText());
            }
            assertTrue(limited, "the per-address limit (1/s, burst 3) is live for anonymous sockets");
        }
    }

    @Test
    @Order(8)
    void a_socket_that_guesses_a_chats_client_id_reads_nothing() throws Exception {
        Handshake.Answer guessed = Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=tg-1001");
        assertEquals(401, guessed.status(), guessed.reason());
        String other = new SessionTokens(List.of(KEY)).mint("tg-9999", Instant.now().plusSeconds(60));
        Handshake.Answer borrowed = Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=tg-1001&token=" + other);
        assertEquals(401, borrowed.status());
        assertEquals("the token does not match this clientId", borrowed.reason());
        assertThrowsOnConnect("tg-1001");
    }

    @Test
    @Order(9)
    void bin_telegram_switches_the_bot_to_webhook_mode_and_back() throws Exception {
        for (String[] args : List.of(new String[] {"--set-webhook", "https://chat.example.org/telegram/webhook"},
                new String[] {"--delete-webhook"})) {
            List<String> command = new ArrayList<>(List.of("bin/telegram"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(VAR.resolve("log/webhook-command.log").toFile()));
            pb.environment().putAll(Map.of("TELEGRAM_BOT_TOKEN", TOKEN, "TELEGRAM_API_URL", "http://127.0.0.1:" + BOT_API,
                    "TELEGRAM_WEBHOOK_SECRET", "hook-secret-0123456789", "SB_VAR", VAR.toString()));
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), Files.readString(VAR.resolve("log/webhook-command.log")));
        }
        var set = telegram.calls("setWebhook").get(0).params();
        assertEquals("https://chat.example.org/telegram/webhook", set.getString("url"));
        assertEquals("hook-secret-0123456789", set.getString("secret_token"));
        assertEquals(1, telegram.calls("deleteWebhook").size());
    }

    private static void assertThrowsOnConnect(String clientId) {
        try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, clientId)) {
            throw new AssertionError("a socket opened " + clientId + " without a token: " + c);
        } catch (java.util.concurrent.CompletionException expected) {
            if (!(expected.getCause() instanceof java.net.http.WebSocketHandshakeException refused)) {
                throw expected;
            }
            assertEquals(401, refused.getResponse().statusCode());
        }
    }

    private static void awaitLog(String bridgeName, String text) {
        Path log = VAR.resolve("log/bridge-" + bridgeName + ".log");
        org.awaitility.Awaitility.await("bridge " + bridgeName + " logs '" + text + "'").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> Files.readString(log).contains(text));
    }
}
