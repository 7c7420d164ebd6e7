package dev.switchboard.telegram;

import dev.switchboard.testing.FakeBotApi;
import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.SimulatorResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhook mode: Telegram posts updates to {@code /telegram/webhook} of any replica, which answers
 * them through the same turn path as a socket and replies with sendMessage (to a fake Bot API).
 */
@QuarkusTest
@TestProfile(TelegramWebhookTest.WebhookOn.class)
@QuarkusTestResource(SimulatorResource.class)
class TelegramWebhookTest {
    static final int BOT_API = 18591;
    static final String SECRET = "hook-secret-0123456789";
    // a bot id of its own per run, so the delivery log in the shared test Redis starts empty
    static final String TOKEN = ThreadLocalRandom.current().nextLong(1_000_000, 9_999_999) + ":hook-token";
    static FakeBotApi telegram;

    public static class WebhookOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.telegram.bot-token", TOKEN, "sb.telegram.webhook-secret", SECRET,
                    "sb.telegram.api-url", "http://127.0.0.1:" + BOT_API);
        }
    }

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void fakeTelegram() {
        telegram = new FakeBotApi(BOT_API, TOKEN);
    }

    @AfterAll
    static void stop() {
        telegram.close();
    }

    private static long newChat() {
        return ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000);
    }

    private HttpResponse<String> post(String secret, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + "telegram/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void an_update_is_answered_before_the_webhook_request_returns_and_only_once() throws Exception {
        long chat = newChat();
        JsonObject update = telegram.webhookUpdate(chat, "hello webhook");
        assertEquals(200, post(SECRET, update.encode()).statusCode());
        List<String> sent = telegram.sentTo(chat); // 200 means delivered: no waiting needed
        assertEquals(1, sent.size(), sent.toString());
        assertTrue(sent.get(0).matches("\\(sim [\\w-]+\\) users=1 said=\"hello webhook\".*"), sent.get(0));

        assertEquals(200, post(SECRET, update.encode()).statusCode(), "Telegram resends an update it thinks was lost");
        assertEquals(1, telegram.sentTo(chat).size(), "the resend is not answered again");

        assertEquals(200, post(SECRET, telegram.webhookUpdate(chat, "second").encode()).statusCode());
        assertTrue(telegram.sentTo(chat).get(1).contains("users=2 said=\"second\""), "the same session goes on");
    }

    @Test
    void a_resend_while_the_first_request_still_works_gets_503_and_nothing_twice() throws Exception {
        long chat = newChat();
        String update = telegram.webhookUpdate(chat, "slow [[sim:delay=1500]]").encode();
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return post(SECRET, update);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        telegram.await("sendChatAction", calls -> calls.stream().anyMatch(c -> c.chatId() == chat), java.time.Duration.ofSeconds(10));
        assertEquals(503, post(SECRET, update).statusCode(), "claimed by the first request");
        assertEquals(200, first.get().statusCode());
        assertEquals(200, post(SECRET, update).statusCode());
        assertEquals(1, telegram.sentTo(chat).size());
    }

    @Test
    void commands_and_stickers() throws Exception {
        long chat = newChat();
        assertEquals(200, post(SECRET, telegram.webhookUpdate(chat, "/start").encode()).statusCode());
        JsonObject sticker = telegram.webhookUpdate(chat, "x");
        sticker.getJsonObject("message").remove("text");
        sticker.getJsonObject("message").put("sticker", new JsonObject().put("file_id", "s"));
        assertEquals(200, post(SECRET, sticker.encode()).statusCode());
        assertEquals(200, post(SECRET, telegram.webhookUpdate(chat, "/history").encode()).statusCode());
        List<String> sent = telegram.sentTo(chat);
        assertTrue(sent.get(0).startsWith(BridgeSettings.DEFAULT_GREETING), sent.get(0));
        assertEquals(UpdateHandler.TEXT_ONLY, sent.get(1));
        assertEquals("No conversation yet.", sent.get(2));
    }

    @Test
    void a_wrong_secret_or_a_body_that_is_not_an_update_is_refused() throws Exception {
        long chat = newChat();
        assertEquals(401, post(null, telegram.webhookUpdate(chat, "hi").encode()).statusCode());
        assertEquals(401, post("guess", telegram.webhookUpdate(chat, "hi").encode()).statusCode());
        assertEquals(400, post(SECRET, "not json").statusCode());
        assertEquals(400, post(SECRET, "{\"message\":{}}").statusCode());
        assertEquals(List.of(), telegram.sentTo(chat));
    }

    @Test
    void a_socket_cannot_open_a_tg_session_when_the_tier_has_no_keys_to_check_a_token() {
        Handshake.Answer none = Handshake.upgrade(root.getHost(), root.getPort(), "/chat?clientId=tg-12345");
        assertEquals(401, none.status());
        assertTrue(none.reason().contains("need a signed token"), none.reason());
        // without keys a token cannot be checked: it is refused, not ignored, for any clientId
        Handshake.Answer anyToken = Handshake.upgrade(root.getHost(), root.getPort(), "/chat?clientId=alice&token=123.abc");
        assertEquals(401, anyToken.status());
        assertTrue(anyToken.reason().contains("accepts no token"), anyToken.reason());
    }
}
