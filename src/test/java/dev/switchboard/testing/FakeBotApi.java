package dev.switchboard.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A Telegram Bot API server of our own for tests (this machine has no network): the methods the
 * bridge and the webhook use, with Telegram's rules that matter to them. {@code getUpdates}
 * long-polls, forgets updates below the offset it is given, and answers 409 to a second poller
 * while one waits; faults can be queued per method (429 with retry_after, 5xx). Everything the
 * bot sent is recorded for the test to wait on.
 */
public final class FakeBotApi implements AutoCloseable {
    private final Vertx vertx = TestVertx.VERTX;
    private final HttpServer server;
    private final List<JsonObject> updates = new ArrayList<>(); // not yet confirmed, in order
    private final AtomicLong nextUpdateId = new AtomicLong(1000);
    private final AtomicLong nextMessageId = new AtomicLong(1);
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final AtomicInteger conflicts = new AtomicInteger();
    private final AtomicInteger faultsServed = new AtomicInteger();
    private final String token;
    private HttpServerResponse waitingPoll;
    private long pollTimer = -1;

    /** A call the bot made: the method and its JSON parameters. */
    public record Call(String method, JsonObject params) {
        public long chatId() {
            return params.getLong("chat_id");
        }

        public String text() {
            return params.getString("text");
        }
    }

    private record Fault(String method, int status, int retryAfter) {
    }

    /** @param token the bot token whose URLs ({@code /bot<token>/<method>}) it answers */
    public FakeBotApi(int port, String token) {
        this("127.0.0.1", port, token);
    }

    /** Listening on {@code host}: a Docker network's gateway address, so containers reach it. */
    public FakeBotApi(String host, int port, String token) {
        this.token = token;
        this.server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            String path = req.path();
            String prefix = "/bot" + token + "/";
            if (!path.startsWith(prefix)) {
                req.response().setStatusCode(404).end(error(404, "Not Found").encode());
                return;
            }
            String method = path.substring(prefix.length());
            JsonObject params = body.length() == 0 ? new JsonObject() : body.toJsonObject();
            synchronized (this) {
                Fault fault = faults.peek();
                if (fault != null && fault.method().equals(method)) {
                    faults.poll();
                    faultsServed.incrementAndGet();
                    JsonObject e = error(fault.status(), "injected fault");
                    if (fault.retryAfter() > 0) {
                        e.put("parameters", new JsonObject().put("retry_after", fault.retryAfter()));
                    }
                    req.response().setStatusCode(fault.status()).end(e.encode());
                    return;
                }
                calls.add(new Call(method, params));
                switch (method) {
                    case "getUpdates" -> getUpdates(params, req.response());
                    case "sendMessage" -> req.response().end(ok(new JsonObject().put("message_id", nextMessageId.getAndIncrement())
                            .put("chat", new JsonObject().put("id", params.getValue("chat_id"))).put("text", params.getString("text"))).encode());
                    case "sendChatAction", "setWebhook", "deleteWebhook" -> req.response().end(ok(true).encode());
                    default -> req.response().setStatusCode(404).end(error(404, "Not Found: method " + method).encode());
                }
            }
        })).listen(port, host).toCompletionStage().toCompletableFuture().join();
    }

    private void getUpdates(JsonObject params, HttpServerResponse response) {
        if (waitingPoll != null) {
            conflicts.incrementAndGet();
            response.setStatusCode(409).end(error(409, "Conflict: terminated by other getUpdates request").encode());
            return;
        }
        long offset = params.getLong("offset", 0L);
        updates.removeIf(u -> u.getLong("update_id") < offset); // confirmed: Telegram forgets them
        if (!updates.isEmpty() || params.getInteger("timeout", 0) == 0) {
            response.end(ok(new JsonArray(new ArrayList<>(updates))).encode());
            return;
        }
        waitingPoll = response;
        response.closeHandler(v -> {
            synchronized (this) {
                if (waitingPoll == response) { // the poller died: its long poll ends with it
                    waitingPoll = null;
                    vertx.cancelTimer(pollTimer);
                }
            }
        });
        pollTimer = vertx.setTimer(params.getInteger("timeout") * 1000L, t -> answerPoll());
    }

    private synchronized void answerPoll() {
        if (waitingPoll != null) {
            HttpServerResponse r = waitingPoll;
            waitingPoll = null;
            vertx.cancelTimer(pollTimer);
            if (!r.closed()) {
                r.end(ok(new JsonArray(new ArrayList<>(updates))).encode());
            }
        }
    }

    /** A user writes {@code text} in chat {@code chatId}; returns the update's id. */
    public long userWrites(long chatId, String text) {
        JsonObject message = message(chatId).put("text", text);
        return push(message);
    }

    /** A user sends a sticker: an update without text. */
    public long userSendsSticker(long chatId) {
        return push(message(chatId).put("sticker", new JsonObject().put("file_id", "sticker-1").put("emoji", "👍")));
    }

    private JsonObject message(long chatId) {
        return new JsonObject().put("message_id", nextMessageId.getAndIncrement()).put("date", System.currentTimeMillis() / 1000)
                .put("chat", new JsonObject().put("id", chatId).put("type", "private"))
                .put("from", new JsonObject().put("id", chatId).put("is_bot", false).put("first_name", "Test"));
    }

    private long push(JsonObject message) {
        long id = nextUpdateId.getAndIncrement();
        JsonObject update = new JsonObject().put("update_id", id).put("message", message);
        synchronized (this) {
            updates.add(update);
        }
        vertx.runOnContext(v -> answerPoll());
        return id;
    }

    /** The JSON of an update as Telegram would push it to a webhook. */
    public JsonObject webhookUpdate(long chatId, String text) {
        return new JsonObject().put("update_id", nextUpdateId.getAndIncrement()).put("message", message(chatId).put("text", text));
    }

    /** The next call of {@code method} gets {@code status} (with retry_after when above 0). */
    public synchronized void fail(String method, int status, int retryAfter) {
        faults.add(new Fault(method, status, retryAfter));
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    /** Messages the bot sent to {@code chatId}, in order. */
    public List<String> sentTo(long chatId) {
        return calls("sendMessage").stream().filter(c -> c.chatId() == chatId).map(Call::text).toList();
    }

    /** Waits until the calls of {@code method} satisfy {@code condition}. */
    public List<Call> await(String method, Predicate<List<Call>> condition, Duration timeout) {
        org.awaitility.Awaitility.await(method + " calls").atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> condition.test(calls(method)));
        return calls(method);
    }

    /** Updates not yet confirmed by a getUpdates with a higher offset. */
    public synchronized int unconfirmed() {
        return updates.size();
    }

    /** How many queued faults were answered. */
    public int faultsServed() {
        return faultsServed.get();
    }

    /** How many getUpdates calls overlapped another one (Telegram answers those with 409). */
    public int conflicts() {
        return conflicts.get();
    }

    private static JsonObject ok(Object result) {
        return new JsonObject().put("ok", true).put("result", result);
    }

    private static JsonObject error(int code, String description) {
        return new JsonObject().put("ok", false).put("error_code", code).put("description", description);
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
    }
}
