package dev.switchboard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An LLM backend that speaks both the Ollama API ({@code /}, {@code /api/tags}, {@code /api/version},
 * {@code /api/chat} with NDJSON streaming) and the OpenAI API ({@code /v1/models},
 * {@code /v1/chat/completions} with SSE streaming), with tool calls in both formats, a configurable
 * time to first token and per token, and injectable faults. What it answers is decided by
 * {@link SimBrain}. Plain JDK HTTP server on virtual threads: no Quarkus, starts in milliseconds.
 */
public final class Simulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimOptions options;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final SimBrain brain;
    private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NONE);
    private volatile boolean loaded = true;
    private final AtomicInteger aborted = new AtomicInteger();
    private volatile long loadMillis;
    private final AtomicInteger faultLeft = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger maxInflight = new AtomicInteger();
    /** Generation slots (null = unbounded) and the completions waiting for one. */
    private final Semaphore slots;
    private final AtomicInteger queued = new AtomicInteger();

    private Simulator(SimOptions options) throws IOException {
        this.options = options;
        this.brain = new SimBrain(options.name());
        this.slots = options.capacity() > 0 ? new Semaphore(options.capacity(), true) : null;
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::route);
    }

    /** Starts a simulator; it serves until {@link #close()}. */
    public static Simulator start(SimOptions options) throws IOException {
        Simulator s = new Simulator(options);
        s.server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String name() {
        return options.name();
    }

    /** Completion requests served so far. */
    public long requests() {
        return requests.get();
    }

    /** The most completion requests it had in flight at once. */
    /** Requests being handled now (a hung one counts until the simulator closes). */
    public int inflight() {
        return inflight.get();
    }

    /** Answers the client went away from (closed its connection) before they were complete. */
    public int aborted() {
        return aborted.get();
    }

    public int maxInflight() {
        return maxInflight.get();
    }

    /**
     * Whether the model is in memory ({@code GET /api/ps} lists it). An unloaded model costs the next
     * completion {@code loadMillis} first, then it is loaded: Ollama's cold start.
     */
    public void setLoaded(boolean loaded, long loadMillis) {
        this.loadMillis = loadMillis;
        this.loaded = loaded;
    }

    /** Applies {@code f} to the next {@code f.count()} completion requests (all of them when negative). */
    public void inject(Fault f) {
        faultLeft.set(f.count());
        fault.set(f);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void route(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (method + " " + path) {
                case "GET /", "HEAD /" -> text(ex, 200, "Ollama is running");
                case "GET /api/version" -> json(ex, 200, JSON.createObjectNode().put("version", "0.0.0-switchboard-sim"));
                case "GET /api/tags" -> json(ex, 200, tags());
                case "GET /api/ps" -> json(ex, 200, loadedModels());
                case "POST /_sim/loaded" -> {
                    JsonNode body = JSON.readTree(ex.getRequestBody());
                    setLoaded(body.path("loaded").asBoolean(true), body.path("loadMillis").asLong(0));
                    json(ex, 200, JSON.createObjectNode().put("loaded", loaded));
                }
                case "GET /v1/models" -> json(ex, 200, models());
                case "POST /api/chat" -> completion(ex, false);
                case "POST /v1/chat/completions" -> completion(ex, true);
                case "POST /_sim/fault" -> {
                    JsonNode body = JSON.readTree(ex.getRequestBody());
                    inject(new Fault(body.path("mode").asText("none"), body.path("status").asInt(500), body.path("count").asInt(-1),
                            body.path("fraction").asDouble(1.0)));
                    json(ex, 200, JSON.createObjectNode().put("fault", fault.get().mode()));
                }
                case "GET /_sim/stats" -> json(ex, 200, JSON.createObjectNode().put("name", options.name())
                        .put("requests", requests.get()).put("inflight", inflight.get()).put("maxInflight", maxInflight.get())
                        .put("queued", queued.get()));
                default -> text(ex, 404, "404 page not found");
            }
        }
    }

    private ObjectNode loadedModels() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode models = root.putArray("models");
        if (loaded) {
            models.addObject().put("name", options.model()).put("model", options.model()).put("size", 0)
                    .put("digest", "sha256:" + "0".repeat(64)).put("expires_at", Instant.now().plusSeconds(300).toString())
                    .put("size_vram", 0);
        }
        return root;
    }

    private ObjectNode tags() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putArray("models").addObject();
        m.put("name", options.model()).put("model", options.model()).put("modified_at", Instant.EPOCH.toString())
                .put("size", 0).put("digest", "sha256:" + "0".repeat(64));
        m.putObject("details").put("format", "gguf").put("family", "sim").put("parameter_size", "0B")
                .put("quantization_level", "none");
        return root;
    }

    private ObjectNode models() {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        root.putArray("data").addObject().put("id", options.model()).put("object", "model").put("created", 0)
                .put("owned_by", "switchboard-sim");
        return root;
    }

    private void completion(HttpExchange ex, boolean openAi) throws IOException {
        requests.incrementAndGet();
        int now = inflight.incrementAndGet();
        maxInflight.accumulateAndGet(now, Math::max);
        try {
            JsonNode req;
            try {
                req = JSON.readTree(ex.getRequestBody());
            } catch (IOException e) {
                error(ex, openAi, 400, "invalid JSON body: " + e.getMessage());
                return;
            }
            if (req == null || !req.path("messages").isArray()) {
                error(ex, openAi, 400, "\"messages\" is required");
                return;
            }
            Fault f = takeFault();
            if (f.fraction() < 1.0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() >= f.fraction()) {
                f = Fault.NONE; // this request is one of those the fault spares
            }
            switch (f.mode()) {
                case "error" -> {
                    error(ex, openAi, f.status(), "injected failure");
                    return;
                }
                case "hang" -> {
                    sleep(3_600_000);
                    return;
                }
                case "garbage" -> {
                    text(ex, 200, "}{ this is not JSON \u0000\u0001");
                    return;
                }
                case "drip" -> {
                    drip(ex, Math.max(1, f.status()));
                    return;
                }
                default -> { }
            }
            SimReply reply = brain.answer(messages(req.path("messages")), toolNames(req.path("tools")));
            if (reply.status() != 200) {
                error(ex, openAi, reply.status(), "failure requested by a [[sim:status]] directive");
                return;
            }
            if (!takeSlot()) {
                // Ollama's words when OLLAMA_MAX_QUEUE is exceeded
                error(ex, openAi, 503, "server busy, please try again.  maximum pending requests exceeded");
                return;
            }
            try {
                generate(ex, openAi, req, reply, f);
            } catch (IOException e) {
                aborted.incrementAndGet(); // the client closed the connection before the answer was out
                throw e;
            } finally {
                if (slots != null) {
                    slots.release();
                }
            }
        } finally {
            inflight.decrementAndGet();
        }
    }

    /** Waits for a generation slot; false when the wait queue is full. */
    private boolean takeSlot() {
        if (slots == null) {
            return true;
        }
        if (slots.tryAcquire()) {
            return true;
        }
        if (options.maxQueue() > 0 && queued.incrementAndGet() > options.maxQueue()) {
            queued.decrementAndGet();
            return false;
        }
        if (options.maxQueue() <= 0) {
            queued.incrementAndGet();
        }
        try {
            slots.acquireUninterruptibly();
            return true;
        } finally {
            queued.decrementAndGet();
        }
    }

    private void generate(HttpExchange ex, boolean openAi, JsonNode req, SimReply reply, Fault f) throws IOException {
        long slow = "slow".equals(f.mode()) ? f.status() : 0;
        if (!loaded) {
            sleep(loadMillis); // loading the model into memory
            loaded = true;
        }
        sleep(options.ttft().toMillis() + reply.extraDelayMillis() + slow);
        // Ollama streams unless told not to; OpenAI only when asked.
        boolean stream = openAi ? req.path("stream").asBoolean(false) : req.path("stream").asBoolean(true);
        String model = req.path("model").asText(options.model());
        int promptTokens = req.path("messages").toString().length() / 4;
        boolean cut = "cut".equals(f.mode());
        if (openAi) {
            if (stream) {
                OpenAiFormat.stream(ex, model, reply, promptTokens, req.path("stream_options").path("include_usage").asBoolean(false),
                        options.tokenDelay().toMillis(), f);
            } else {
                sleep(options.tokenDelay().toMillis() * Math.max(0, reply.tokens().size() - 1));
                answer(ex, OpenAiFormat.completion(model, reply, promptTokens), cut);
            }
        } else {
            if (stream) {
                OllamaFormat.stream(ex, model, reply, promptTokens, options.tokenDelay().toMillis(), f);
            } else {
                sleep(options.tokenDelay().toMillis() * Math.max(0, reply.tokens().size() - 1));
                answer(ex, OllamaFormat.completion(model, reply, promptTokens), cut);
            }
        }
    }

    private Fault takeFault() {
        Fault f = fault.get();
        if ("none".equals(f.mode())) {
            return f;
        }
        int left = faultLeft.getAndDecrement();
        if (left < 0) {
            faultLeft.set(-1);
            return f;
        }
        if (left == 0) {
            fault.set(Fault.NONE);
            return Fault.NONE;
        }
        if (left == 1) {
            fault.set(Fault.NONE);
        }
        return f;
    }

    private static List<SimBrain.Msg> messages(JsonNode array) {
        List<SimBrain.Msg> out = new ArrayList<>();
        for (JsonNode m : array) {
            JsonNode content = m.path("content");
            String text;
            if (content.isArray()) { // OpenAI content parts
                StringBuilder sb = new StringBuilder();
                content.forEach(part -> sb.append(part.path("text").asText("")));
                text = sb.toString();
            } else {
                text = content.asText("");
            }
            out.add(new SimBrain.Msg(m.path("role").asText(""), text));
        }
        return out;
    }

    private static List<String> toolNames(JsonNode tools) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : tools) {
            out.add(t.path("function").path("name").asText());
        }
        return out;
    }

    private static void error(HttpExchange ex, boolean openAi, int status, String message) throws IOException {
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
    private static void answer(HttpExchange ex, JsonNode body, boolean cut) throws IOException {
        if (!cut) {
            json(ex, 200, body);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes, 0, bytes.length / 2);
        ex.getResponseBody().flush();
        throw new StreamCut();
    }

    static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
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
    private static void drip(HttpExchange ex, long every) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long end = System.nanoTime() + 3_600_000_000_000L;
        chunk(out, "{\"message\":{\"role\":\"assistant\",\"content\":\"");
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            chunk(out, "z"); // throws once the client has gone
            sleep(every);
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

    /**
     * Emits tokens {@code tokenDelay} ms apart. A {@code cut} stream drops the connection after its
     * fault's number of tokens (halfway when 0), as a dying backend does; a {@code stall} stream stops
     * sending after that many and holds the connection, as a wedged GPU does. A break at or past the
     * last token comes before the stream's final message.
     */
    static void paceTokens(List<String> tokens, long tokenDelay, Fault f, TokenSink sink) throws IOException {
        boolean cut = "cut".equals(f.mode());
        boolean stall = "stall".equals(f.mode());
        int breakAt = cut && f.status() <= 0 ? tokens.size() / 2 : (cut || stall) ? Math.min(f.status(), tokens.size()) : -1;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == breakAt) {
                if (stall) {
                    sleep(3_600_000);
                }
                throw new StreamCut();
            }
            if (i == tokens.size()) {
                break;
            }
            if (i > 0) {
                sleep(tokenDelay);
            }
            sink.accept(tokens.get(i));
        }
    }

    @FunctionalInterface
    interface TokenSink {
        void accept(String token) throws IOException;
    }

    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Thrown mid-stream to make the JDK server drop the connection, as a crashed backend would. */
    static final class StreamCut extends RuntimeException {
        StreamCut() {
            super("stream cut by an injected fault", null, false, false);
        }
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }
}
