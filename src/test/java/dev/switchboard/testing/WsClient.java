package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for tests, on the JDK's own client: frames land in a queue that tests poll
 * with a time limit, never sleep on.
 */
public final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingDeque<String> frames = new LinkedBlockingDeque<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsClient(URI uri) {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closed.complete(status);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                }).join();
    }

    /** Connects to {@code base}/chat?clientId=… ({@code base} like ws://127.0.0.1:8080). */
    public static WsClient connect(String base, String clientId) {
        return new WsClient(URI.create(base + "/chat?clientId=" + clientId));
    }

    public WsClient send(String frame) {
        socket.sendText(frame, true).join();
        return this;
    }

    public WsClient send(Object json) {
        try {
            return send(JSON.writeValueAsString(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next frame, parsed; fails the test after {@code seconds}. */
    public JsonNode next(int seconds) {
        try {
            String f = frames.poll(seconds, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + seconds + " s");
            }
            return JSON.readTree(f);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError("frame is not JSON", e);
        }
    }

    public JsonNode next() {
        return next(20);
    }

    /** The next frame of {@code type}, skipping others (agent frames before a reply, say). */
    public JsonNode nextOfType(String type) {
        for (int i = 0; i < 20; i++) {
            JsonNode f = next();
            if (type.equals(f.path("type").asText())) {
                return f;
            }
        }
        throw new AssertionError("no " + type + " frame");
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose(int seconds) {
        try {
            return closed.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket not closed within " + seconds + " s");
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    /** The number the simulator's echo reports: how many user messages the model was sent. */
    public static int usersSeen(JsonNode reply) {
        var m = java.util.regex.Pattern.compile("users=(\\d+)").matcher(reply.path("data").asText());
        if (!m.find()) {
            throw new AssertionError("not a simulator echo: " + reply);
        }
        return Integer.parseInt(m.group(1));
    }
}
