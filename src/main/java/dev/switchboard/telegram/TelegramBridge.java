package dev.switchboard.telegram;

import dev.switchboard.edge.SessionTokens;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The Telegram bridge ({@code bin/telegram}): long-polls the Bot API and answers each chat through
 * the tier's WebSocket, session {@code tg-<chat id>}. Only the holder of a Redis lease polls
 * (Telegram answers 409 to a second poller); a standby takes over when the lease expires.
 * <p>
 * Nothing is lost or answered twice across a crash: updates are recorded as pending in Redis (with
 * the next offset, in one step) before Telegram is told to forget them, leave the pending set only
 * once their answer is delivered, and a new poller first finishes what it finds pending. Chats are
 * answered side by side; one chat's updates in order. All of it runs on one event loop.
 */
public final class TelegramBridge extends AbstractVerticle {
    private static final Logger LOG = Logger.getLogger(TelegramBridge.class);

    private final BridgeSettings settings;
    private final String owner = UUID.randomUUID().toString();
    private BotApi api;
    private SocketTier tier;
    private DeliveryLog log;
    private UpdateHandler handler;
    private Redis redisClient;
    private boolean leading;
    private boolean polling;
    private boolean stopping;
    private long offset;
    private long leaseTimer;
    /** Updates being answered, and the tail of each chat's chain of updates. */
    private final Set<Long> inFlight = new HashSet<>();
    private final Map<Long, Future<Void>> chats = new HashMap<>();

    public TelegramBridge(BridgeSettings settings) {
        this.settings = settings;
    }

    @Override
    public void start() {
        api = new BotApi(vertx, settings.apiUrl(), settings.token());
        tier = new SocketTier(vertx, settings.tierUrl(), new SessionTokens(settings.authKeys()));
        redisClient = Redis.createClient(vertx, redisOptions(settings));
        log = new DeliveryLog(RedisAPI.api(redisClient), DeliveryLog.botId(settings.token()));
        handler = new UpdateHandler(vertx, api, tier, log, settings.parseMode(), settings.greeting());
        LOG.infof("Telegram bridge %s started: %s", owner.substring(0, 8), settings);
        long every = Math.max(200, settings.leaseTtl().toMillis() / 3);
        leaseTimer = vertx.setPeriodic(0, every, t -> renewLease());
    }

    @Override
    public void stop(Promise<Void> done) {
        stopping = true;
        vertx.cancelTimer(leaseTimer);
        Future<Void> resign = leading ? log.resign(owner).recover(e -> Future.succeededFuture()) : Future.succeededFuture();
        resign.eventually(() -> tier.close()).eventually(() -> api.close())
                .onComplete(ar -> {
                    redisClient.close();
                    done.complete();
                });
    }

    /** The tier's Redis as the replicas reach it: one node, a cluster or the sentinels of a primary. */
    static RedisOptions redisOptions(BridgeSettings s) {
        RedisOptions options = new RedisOptions().setMaxPoolWaiting(256)
                .setType(io.vertx.redis.client.RedisClientType.valueOf(s.redisMode().toUpperCase(java.util.Locale.ROOT)));
        for (String url : s.redisUrl().split(",")) {
            options.addConnectionString(url.trim());
        }
        if (options.getType() == io.vertx.redis.client.RedisClientType.SENTINEL) {
            options.setMasterName(s.redisMaster()).setRole(io.vertx.redis.client.RedisRole.MASTER);
        }
        return options;
    }

    private void renewLease() {
        log.lead(owner, settings.leaseTtl().toMillis()).onComplete(ar -> {
            boolean now = ar.succeeded() && ar.result();
            if (ar.failed()) {
                LOG.warnf("Redis unreachable (%s): not polling until it answers", ar.cause().getMessage());
            }
            if (now && !leading) {
                leading = true;
                LOG.infof("bridge %s polls Telegram now", owner.substring(0, 8));
                resume();
            } else if (!now && leading) {
                leading = false; // the poll running now finishes; its updates are left for the new poller
                LOG.infof("bridge %s lost the polling lease; standing by", owner.substring(0, 8));
            }
        });
    }

    /** A new poller finishes what a previous one left pending, then polls from the stored offset. */
    private void resume() {
        log.pending().compose(pending -> {
            if (!pending.isEmpty()) {
                LOG.infof("answering %d updates left pending", pending.size());
            }
            pending.forEach(this::dispatch);
            return log.offset();
        }).onComplete(ar -> {
            if (ar.failed()) {
                leading = false; // try again at the next lease renewal
                return;
            }
            offset = Math.max(offset, ar.result());
            poll();
        });
    }

    private void poll() {
        if (polling || !leading || stopping) {
            return;
        }
        polling = true;
        JsonObject params = new JsonObject().put("offset", offset).put("timeout", settings.pollTimeout().toSeconds())
                .put("allowed_updates", new JsonArray().add("message"));
        api.call("getUpdates", params)
                .compose(result -> {
                    List<JsonObject> updates = new ArrayList<>();
                    JsonArray array = (JsonArray) result;
                    for (int i = 0; i < array.size(); i++) {
                        updates.add(array.getJsonObject(i));
                    }
                    if (updates.isEmpty() || !leading) {
                        return Future.succeededFuture(List.<JsonObject>of());
                    }
                    long next = updates.get(updates.size() - 1).getLong("update_id") + 1;
                    return log.accept(updates, next).map(v -> {
                        offset = Math.max(offset, next);
                        return updates;
                    });
                })
                .onComplete(ar -> {
                    polling = false;
                    if (ar.succeeded()) {
                        ar.result().forEach(this::dispatch);
                        poll();
                        return;
                    }
                    Throwable e = ar.cause();
                    long wait = e instanceof BotApiException b && b.retryAfter() > 0 ? b.retryAfter() * 1000L : 3000;
                    if (e instanceof BotApiException b && b.status() == 409) {
                        LOG.warn("Telegram answered 409: a webhook is set for this bot (delete it to poll) or another poller runs");
                    } else if (e instanceof BotApiException b && (b.status() == 401 || b.status() == 404)) {
                        LOG.error("Telegram refused the bot token (" + b.status() + "); check TELEGRAM_BOT_TOKEN");
                        wait = 60_000;
                    } else {
                        LOG.warnf("getUpdates failed (%s); polling again in %d ms", e.getMessage(), wait);
                    }
                    vertx.setTimer(wait, t -> poll());
                });
    }

    private void dispatch(JsonObject update) {
        long updateId = update.getLong("update_id");
        if (!inFlight.add(updateId)) {
            return;
        }
        Long chat = UpdateHandler.chatId(update);
        long key = chat == null ? 0 : chat;
        Future<Void> previous = chats.getOrDefault(key, Future.succeededFuture());
        Future<Void> next = previous.transform(ignored -> handler.handle(update)) // after the chat's previous update, however it ended
                .compose(v -> log.done(updateId));
        chats.put(key, next);
        next.onComplete(ar -> {
            inFlight.remove(updateId);
            if (chats.get(key) == next) {
                chats.remove(key);
            }
            if (ar.failed() && !stopping) {
                // stays pending in Redis; tried again after a pause so one bad moment does not drop it
                LOG.warnf("update %d not answered yet (%s); trying again in 5 s", updateId, ar.cause().getMessage());
                vertx.setTimer(5000, t -> dispatch(update));
            }
        });
    }

    /**
     * {@code bin/telegram}: runs until SIGTERM/SIGINT, then gives the lease back.
     * {@code bin/telegram --set-webhook URL} / {@code --delete-webhook} switch the bot between modes.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0) {
            System.exit(webhookCommand(args));
        }
        BridgeSettings settings;
        try {
            settings = BridgeSettings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("telegram bridge: " + e.getMessage());
            System.exit(2);
            return;
        }
        Vertx vertx = Vertx.vertx();
        CountDownLatch stopped = new CountDownLatch(1);
        vertx.deployVerticle(new TelegramBridge(settings)).onFailure(e -> {
            LOG.error("the bridge did not start", e);
            System.exit(1);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().onComplete(ar -> stopped.countDown());
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        stopped.await();
    }

    /** Tells Telegram where to push updates (webhook mode), or to stop pushing (long polling). */
    private static int webhookCommand(String[] args) throws InterruptedException {
        String token = System.getenv().getOrDefault("TELEGRAM_BOT_TOKEN", "").trim();
        String secret = System.getenv().getOrDefault("TELEGRAM_WEBHOOK_SECRET", "").trim();
        JsonObject params = new JsonObject();
        String method;
        if (args[0].equals("--set-webhook") && secret.length() < WebhookRoute.MIN_SECRET_CHARS) {
            System.err.println("TELEGRAM_WEBHOOK_SECRET needs at least " + WebhookRoute.MIN_SECRET_CHARS
                    + " characters of A-Z a-z 0-9 _ - (e.g. openssl rand -hex 16): the replicas refuse a shorter one");
            return 2;
        }
        if (args[0].equals("--set-webhook") && args.length == 2) {
            method = "setWebhook";
            params.put("url", args[1]).put("secret_token", secret).put("allowed_updates", new JsonArray().add("message"));
        } else if (args[0].equals("--delete-webhook") && args.length == 1) {
            method = "deleteWebhook";
        } else {
            System.err.println("usage: TELEGRAM_BOT_TOKEN=… TELEGRAM_WEBHOOK_SECRET=… bin/telegram --set-webhook https://HOST/telegram/webhook\n"
                    + "       TELEGRAM_BOT_TOKEN=… bin/telegram --delete-webhook");
            return 2;
        }
        if (token.isEmpty()) {
            System.err.println("TELEGRAM_BOT_TOKEN is not set");
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        BotApi api = new BotApi(vertx, System.getenv().getOrDefault("TELEGRAM_API_URL", "https://api.telegram.org"), token);
        CountDownLatch done = new CountDownLatch(1);
        int[] status = {1};
        api.call(method, params).onComplete(ar -> {
            if (ar.succeeded()) {
                System.out.println(method + ": ok");
                status[0] = 0;
            } else {
                System.err.println(method + " failed: " + ar.cause().getMessage());
            }
            done.countDown();
        });
        done.await();
        vertx.close();
        return status[0];
    }
}
