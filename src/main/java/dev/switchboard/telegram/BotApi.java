package dev.switchboard.telegram;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

/**
 * The Telegram Bot API ({@code POST $TELEGRAM_API_URL/bot<token>/<method>}, JSON in and out) on a
 * Vert.x HTTP client: nothing blocks. The token is part of every URL, so URLs are never logged.
 */
public final class BotApi {
    private static final Logger LOG = Logger.getLogger(BotApi.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final Vertx vertx;
    private final HttpClient http;
    private final String base;
    private volatile boolean closed;

    private final String token;
    private final long baseIdleMs;

    public BotApi(Vertx vertx, String apiUrl, String token) {
        this(vertx, apiUrl, token, 30_000);
    }

    /** @param baseIdleMs how long a call may wait for Telegram beyond a long poll's own timeout */
    public BotApi(Vertx vertx, String apiUrl, String token, long baseIdleMs) {
        this.vertx = vertx;
        this.token = token;
        this.baseIdleMs = baseIdleMs;
        this.base = apiUrl.replaceAll("/+$", "") + "/bot" + token + "/";
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000).setKeepAlive(true)
                .setMaxPoolSize(32).setKeepAliveTimeout(30));
    }

    /**
     * One call; fails with {@link BotApiException} when Telegram says no, or a {@link BotIoException}
     * when it cannot be reached. Vert.x's own errors name the request URI (a timeout says
     * "… while executing POST /bot&lt;token&gt;/getUpdates"), so they never leave this method: their
     * text is passed on with the token cut out, and without the exception that carried it.
     */
    public Future<Object> call(String method, JsonObject params) {
        return send(method, params).recover(e -> Future.failedFuture(
                e instanceof BotApiException ? e : new BotIoException(method + ": " + redact(String.valueOf(e.getMessage()), token))));
    }

    /** {@code text} with the bot token, and any {@code /bot<token>} path, replaced by {@code <token>}. */
    static String redact(String text, String token) {
        String out = token.isEmpty() ? text : text.replace(token, "<token>");
        return out.replaceAll("/bot[^/\\s]+", "/bot<token>");
    }

    /** Telegram could not be reached, or did not answer in time; the message holds no token. */
    public static final class BotIoException extends RuntimeException {
        BotIoException(String message) {
            super(message, null, false, false);
        }
    }

    private Future<Object> send(String method, JsonObject params) {
        // a long poll may take its whole timeout; anything else gets 30 s
        long idleMs = baseIdleMs + 1000L * params.getInteger("timeout", 0);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(base + method)
                .putHeader("Content-Type", "application/json").setIdleTimeout(idleMs);
        return http.request(options)
                .compose(req -> req.send(params.toBuffer()))
                .compose(resp -> resp.body().map(body -> {
                    JsonObject json;
                    try {
                        json = body.toJsonObject();
                    } catch (DecodeException | ClassCastException e) {
                        throw new BotApiException(resp.statusCode(), "not JSON (" + body.length() + " bytes)", 0);
                    }
                    if (json.getBoolean("ok", false)) {
                        return json.getValue("result");
                    }
                    JsonObject p = json.getJsonObject("parameters", new JsonObject());
                    throw new BotApiException(json.getInteger("error_code", resp.statusCode()),
                            json.getString("description", "no description"), p.getInteger("retry_after", 0));
                }));
    }

    /**
     * {@link #call} until it succeeds or fails for good: 429 waits {@code retry_after}, 5xx and
     * network errors back off (1 s doubling to 30 s). Other 4xx fail at once: a retry cannot help.
     */
    public Future<Object> callRetrying(String method, JsonObject params) {
        Promise<Object> result = Promise.promise();
        attempt(method, params, 0, result);
        return result.future();
    }

    private void attempt(String method, JsonObject params, int failures, Promise<Object> result) {
        call(method, params).onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
                return;
            }
            Throwable e = ar.cause();
            if (closed || (e instanceof BotApiException b && !b.transientFailure())) {
                result.fail(e);
                return;
            }
            long wait = e instanceof BotApiException b && b.retryAfter() > 0 ? b.retryAfter() * 1000L
                    : Math.min(MAX_BACKOFF_MS, 1000L << Math.min(failures, 5));
            LOG.warnf("%s failed (%s); trying again in %d ms", method, e.getMessage(), wait);
            vertx.setTimer(wait, t -> attempt(method, params, failures + 1, result));
        });
    }

    public Future<Void> close() {
        closed = true;
        return http.close();
    }
}
