package dev.switchboard.telegram;

import dev.switchboard.edge.RateLimits;
import dev.switchboard.session.SessionStore;
import dev.switchboard.swarm.ChatService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.RedisAPI;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code POST /telegram/webhook} on every replica, for bots that Telegram pushes updates to
 * ({@code setWebhook} with {@code secret_token}). A request is answered 200 once the update's answer
 * is delivered, so when a replica dies mid-turn Telegram sends the update again and another replica
 * answers it: the message id {@code tg-<update_id>} runs one turn, the delivery log sends each piece
 * once. While one request works on an update, a resend of it gets 503 (Telegram tries later).
 */
@Singleton
public class WebhookRoute {
    private static final Logger LOG = Logger.getLogger(WebhookRoute.class);
    static final String PATH = "/telegram/webhook";
    private static final long CLAIM_TTL_MS = 30_000;

    private final TelegramConfig config;
    private final Vertx vertx;
    private final ChatService chat;
    private final SessionStore store;
    private final RateLimits limits;
    private final RedisAPI redis;

    /** Telegram allows 1-256 characters; fewer than this would be guessable. */
    static final int MIN_SECRET_CHARS = 16;

    public WebhookRoute(TelegramConfig config, Vertx vertx, ChatService chat, SessionStore store, RateLimits limits, RedisAPI redis) {
        this.config = config;
        this.vertx = vertx;
        this.chat = chat;
        this.store = store;
        this.limits = limits;
        this.redis = redis;
    }

    void register(@Observes Router router) {
        String token = config.botToken().filter(t -> !t.isBlank()).orElse(null);
        String secret = config.webhookSecret().filter(s -> !s.isBlank()).orElse(null);
        if (token == null || secret == null) {
            if (token != null) {
                LOG.info("Telegram webhook off: TELEGRAM_WEBHOOK_SECRET is not set (bin/telegram long-polls instead)");
            }
            return;
        }
        if (secret.length() < MIN_SECRET_CHARS) {
            // the secret is the webhook's only key: a short one is guessable, so the door stays shut
            LOG.errorf("Telegram webhook off: TELEGRAM_WEBHOOK_SECRET has %d characters, at least %d are needed "
                    + "(e.g. openssl rand -hex 16)", secret.length(), MIN_SECRET_CHARS);
            return;
        }
        BotApi api = new BotApi(vertx, config.apiUrl(), token, config.requestTimeout().toMillis());
        DeliveryLog log = new DeliveryLog(redis, DeliveryLog.botId(token));
        UpdateHandler handler = new UpdateHandler(vertx, api, new InProcessTier(chat, store, limits), log,
                UpdateHandler.ParseMode.valueOf(config.parseMode().trim().toUpperCase(Locale.ROOT)), config.greeting());
        byte[] expected = secret.getBytes(StandardCharsets.UTF_8);
        router.post(PATH).handler(BodyHandler.create().setBodyLimit(1 << 20))
                .handler(rc -> serve(rc, expected, handler, log));
        LOG.infof("Telegram webhook on %s for bot %s", PATH, DeliveryLog.botId(token));
    }

    private void serve(RoutingContext rc, byte[] expected, UpdateHandler handler, DeliveryLog log) {
        String given = rc.request().getHeader("X-Telegram-Bot-Api-Secret-Token");
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            rc.response().setStatusCode(401).end("wrong or missing X-Telegram-Bot-Api-Secret-Token");
            return;
        }
        JsonObject update;
        try {
            update = rc.body().asJsonObject();
        } catch (RuntimeException e) {
            update = null;
        }
        if (update == null || !(update.getValue("update_id") instanceof Number)) {
            rc.response().setStatusCode(400).end("the body must be a Telegram Update (JSON with update_id)");
            return;
        }
        JsonObject u = update;
        long updateId = u.getLong("update_id");
        String owner = UUID.randomUUID().toString();
        log.claim(updateId, owner, CLAIM_TTL_MS).onComplete(claimed -> {
            if (claimed.failed()) {
                rc.response().setStatusCode(503).end("the session store is unavailable");
                return;
            }
            if (!claimed.result()) {
                rc.response().setStatusCode(503).end("this update is being answered");
                return;
            }
            long renew = vertx.setPeriodic(CLAIM_TTL_MS / 3, t -> log.claim(updateId, owner, CLAIM_TTL_MS));
            handler.handle(u).onComplete(ar -> {
                vertx.cancelTimer(renew);
                log.unclaim(updateId, owner);
                if (ar.succeeded()) {
                    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("{}");
                } else {
                    LOG.warnf("webhook update %d not answered yet: %s", updateId, ar.cause().getMessage());
                    rc.response().setStatusCode(503).end("not answered yet; Telegram will send it again");
                }
            });
        });
    }
}
