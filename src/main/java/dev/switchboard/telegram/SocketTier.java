package dev.switchboard.telegram;

import dev.switchboard.edge.SessionTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tier over its WebSocket protocol, as the bridge uses it: one socket per chat that has
 * something going on ({@code /chat?clientId=tg-<chat>&token=…}), closed after a minute of quiet.
 * One request per chat at a time (the bridge answers a chat's updates in order). When a socket
 * drops mid-request (a replica died), it is opened again with backoff and the request resent with
 * the same message id: the tier answers that id once. Runs on one event loop (the bridge's verticle).
 */
public final class SocketTier implements Tier {
    private static final Logger LOG = Logger.getLogger(SocketTier.class);
    private static final long IDLE_CLOSE_MS = 60_000;
    private static final long REQUEST_TIMEOUT_MS = 10 * 60_000;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final URI url;
    private final SessionTokens tokens;
    private final Map<Long, Link> links = new HashMap<>();
    private final long sweep;
    private boolean closed;

    public SocketTier(Vertx vertx, URI url, SessionTokens tokens) {
        this.vertx = vertx;
        this.url = url;
        this.tokens = tokens;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(5000)
                .setMaxMessageSize(4 * 1024 * 1024).setMaxFrameSize(4 * 1024 * 1024));
        this.sweep = vertx.setPeriodic(IDLE_CLOSE_MS / 2, t -> closeIdle());
    }

    @Override
    public Future<Answer> ask(long chatId, String messageId, String text) {
        JsonObject frame = new JsonObject().put("type", "message").put("id", messageId).put("data", text).put("stream", false);
        return link(chatId).request(frame, f -> messageId.equals(f.getString("id"))
                        && List.of("reply", "error", "cancelled").contains(f.getString("type")))
                .map(f -> switch (f.getString("type")) {
                    case "reply" -> new Answer(f.getString("data"), f.getString("agentName"));
                    case "cancelled" -> Answer.error("cancelled", "the turn was cancelled");
                    default -> Answer.error(f.getString("code"), f.getString("message"), f.getLong("retryAfter", 0L));
                });
    }

    @Override
    public Future<List<Line>> history(long chatId, int limit) {
        return link(chatId).request(new JsonObject().put("type", "history").put("limit", limit),
                f -> "history".equals(f.getString("type"))).map(f -> {
                    if (!"history".equals(f.getString("type"))) {
                        throw new IllegalStateException(f.getString("message", "no history"));
                    }
                    List<Line> lines = new ArrayList<>();
                    JsonArray messages = f.getJsonArray("messages", new JsonArray());
                    for (int i = 0; i < messages.size(); i++) {
                        JsonObject m = messages.getJsonObject(i);
                        lines.add(new Line(m.getString("role"), m.getString("agent"), m.getString("content")));
                    }
                    return lines;
                });
    }

    @Override
    public Future<Boolean> reset(long chatId) {
        return link(chatId).request(new JsonObject().put("type", "reset"), f -> "reset".equals(f.getString("type")))
                .map(f -> "reset".equals(f.getString("type")));
    }

    public Future<Void> close() {
        closed = true;
        vertx.cancelTimer(sweep);
        links.values().forEach(Link::close);
        return client.close();
    }

    private Link link(long chatId) {
        return links.computeIfAbsent(chatId, Link::new);
    }

    private void closeIdle() {
        long now = System.currentTimeMillis();
        links.values().removeIf(l -> {
            if (l.request == null && now - l.lastUsed > IDLE_CLOSE_MS) {
                l.close();
                return true;
            }
            return false;
        });
    }

    /** The frame sent and the promise of the frame that answers it. */
    private record Request(JsonObject frame, Predicate<JsonObject> answers, Promise<JsonObject> promise) {
    }

    /** One chat's socket. */
    private final class Link {
        private final long chatId;
        private WebSocket socket;
        private boolean connecting;
        private Request request;
        private int failures;
        private long lastUsed = System.currentTimeMillis();

        Link(long chatId) {
            this.chatId = chatId;
        }

        Future<JsonObject> request(JsonObject frame, Predicate<JsonObject> answers) {
            if (closed) {
                return Future.failedFuture(new IllegalStateException("the bridge is stopping"));
            }
            if (request != null) {
                return Future.failedFuture(new IllegalStateException("chat " + chatId + " has a request running"));
            }
            Request r = new Request(frame, answers, Promise.promise());
            request = r;
            lastUsed = System.currentTimeMillis();
            long timeout = vertx.setTimer(REQUEST_TIMEOUT_MS, t -> finish(r, null));
            r.promise().future().onComplete(ar -> vertx.cancelTimer(timeout));
            if (socket != null) {
                socket.writeTextMessage(frame.encode());
            } else {
                connect();
            }
            return r.promise().future();
        }

        private void connect() {
            if (connecting || closed) {
                return;
            }
            connecting = true;
            String clientId = Tier.clientId(chatId);
            String token = tokens.mint(clientId, Instant.now().plus(Duration.ofHours(1)));
            String query = "clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                    + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
            boolean tls = "wss".equals(url.getScheme());
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost()).setSsl(tls)
                    .setPort(url.getPort() > 0 ? url.getPort() : tls ? 443 : 80)
                    .setURI((url.getRawPath() == null || url.getRawPath().isEmpty() ? "/chat" : url.getRawPath()) + "?" + query);
            client.connect(options).onComplete(ar -> {
                connecting = false;
                if (ar.failed()) {
                    retry(ar.cause().getMessage());
                    return;
                }
                failures = 0;
                WebSocket ws = ar.result();
                if (closed) {
                    ws.close();
                    return;
                }
                socket = ws;
                ws.textMessageHandler(this::onFrame);
                ws.closeHandler(v -> {
                    if (socket == ws) {
                        socket = null;
                        if (request != null) {
                            retry("socket closed (" + ws.closeStatusCode() + " " + ws.closeReason() + ")");
                        }
                    }
                });
                if (request != null) {
                    ws.writeTextMessage(request.frame().encode()); // sent again after a drop: same id, one answer
                }
            });
        }

        private void retry(String why) {
            if (closed || request == null) {
                return;
            }
            long wait = Math.min(5000, 250L << Math.min(failures++, 5));
            LOG.infof("chat %d: %s; reconnecting in %d ms", chatId, why, wait);
            vertx.setTimer(wait, t -> connect());
        }

        private void onFrame(String text) {
            JsonObject frame;
            try {
                frame = new JsonObject(text);
            } catch (RuntimeException e) {
                return;
            }
            Request r = request;
            // an error without an id (rate_limited, store_unavailable) answers whatever is running
            boolean idless = "error".equals(frame.getString("type")) && frame.getString("id") == null;
            if (r != null && (r.answers().test(frame) || idless)) {
                finish(r, frame);
            }
        }

        private void finish(Request r, JsonObject frame) {
            if (request != r) {
                return;
            }
            request = null;
            lastUsed = System.currentTimeMillis();
            r.promise().complete(frame != null ? frame
                    : new JsonObject().put("type", "error").put("code", "timeout").put("message", "the tier did not answer in time"));
        }

        void close() {
            if (socket != null) {
                socket.close();
                socket = null;
            }
            if (request != null) {
                request.promise().tryFail(new IllegalStateException("the bridge is stopping"));
                request = null;
            }
        }
    }
}
