package dev.switchboard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** How the simulator writes to its HTTP exchanges: JSON, text, errors in either wire format, a cut answer, a drip. */
final class SimHttp {
    // the simulator runs in its own process (SimulatorMain), without the replica's CDI mapper
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimHttp() {
    }

    static void error(HttpExchange ex, boolean openAi, int status, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        if (openAi) {
            body.putObject("error").put("message", message).put("type", status >= 500 ? "server_error" : "invalid_request_error")
                    .putNull("param").putNull("code");
        } else {
            body.put("error", message);
        }
        json(ex, status, body);
    }

    /** A whole (not streamed) answer; a {@code cut} one breaks off halfway through its announced length. */
    static void answer(HttpExchange ex, JsonNode body, boolean cut) throws IOException {
        if (!cut) {
            json(ex, 200, body);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes, 0, bytes.length / 2);
        ex.getResponseBody().flush();
        throw new Pacing.StreamCut();
    }

    static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /**
     * A slow-loris backend: a 200 at once, then one byte of a never-ending body every {@code every}
     * ms, so a client that only bounds the wait for the headers waits forever.
     */
    static void drip(HttpExchange ex, long every) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long end = System.nanoTime() + 3_600_000_000_000L;
        chunk(out, "{\"message\":{\"role\":\"assistant\",\"content\":\"");
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            chunk(out, "z"); // throws once the client has gone
            Pacing.sleep(every);
        }
    }

    /** Writes one streamed piece and pushes it to the client now. */
    static void chunk(OutputStream out, String piece) throws IOException {
        out.write(piece.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static ObjectMapper json() {
        return JSON;
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }
}
