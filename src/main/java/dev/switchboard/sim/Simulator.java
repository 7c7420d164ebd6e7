package dev.switchboard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.openai.MessageJson;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An LLM backend that speaks both the Ollama API ({@code /}, {@code /api/tags}, {@code /api/version},
 * {@code /api/chat} with NDJSON streaming) and the OpenAI API ({@code /v1/models},
 * {@code /v1/chat/completions} with SSE streaming), with tool calls in both formats, a configurable
 * time to first token and per token, and injectable faults. What it answers is decided by
 * {@link SimBrain}. Plain JDK HTTP server on virtual threads: no Quarkus, starts in milliseconds.
 */
public final class Simulator implements AutoCloseable {

    private final SimOptions options;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final SimBrain brain;
    private final FaultPlan faults = new FaultPlan();
    private volatile boolean loaded = true;
    private final AtomicInteger aborted = new AtomicInteger();
    private volatile long loadMillis;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger maxInflight = new AtomicInteger();
    /** Generation slots (null = unbounded) and the completions waiting for one. */
    private final Semaphore slots;
    private final AtomicInteger queued = new AtomicInteger();
    /** What answers report spending: null estimates from the text; input -1 reports nothing at all. */
    private volatile TokenUsage fixedUsage;
    private final AtomicLong reportedTokens = new AtomicLong();
    private volatile int lastMaxTokens = -1;
    private volatile String lastTraceparent;

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

    /** Every answer reports this usage (a fixed cost per completion, as tests of budgets need). */
    public void reportUsage(int input, int output) {
        fixedUsage = new TokenUsage(input, output);
    }

    /** Answers report no usage at all, as some OpenAI-compatible servers do. */
    public void reportNoUsage() {
        fixedUsage = new TokenUsage(-1, 0);
    }

    /** The default: usage estimated from the request and the answer's words. */
    public void reportEstimatedUsage() {
        fixedUsage = null;
    }

    /** The output bound the latest completion request asked for ({@code max_tokens}, Ollama's {@code num_predict}); -1 for none. */
    public int lastMaxTokens() {
        return lastMaxTokens;
    }

    /** The W3C {@code traceparent} header of the latest completion request, or null. */
    public String lastTraceparent() {
        return lastTraceparent;
    }

    /** Tokens reported in answers that reached the client whole. */
    public long reportedTokens() {
        return reportedTokens.get();
    }

    /** Applies {@code f} to the next {@code f.count()} completion requests (all of them when negative). */
    public void inject(Fault f) {
        faults.inject(f);
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
                case "GET /", "HEAD /" -> SimHttp.text(ex, 200, "Ollama is running");
                case "GET /api/version" -> SimHttp.json(ex, 200, SimHttp.json().createObjectNode().put("version", "0.0.0-switchboard-sim"));
                case "GET /api/tags" -> SimHttp.json(ex, 200, tags());
                case "GET /api/ps" -> SimHttp.json(ex, 200, loadedModels());
                case "POST /_sim/loaded" -> {
                    JsonNode body = SimHttp.json().readTree(ex.getRequestBody());
                    setLoaded(body.path("loaded").asBoolean(true), body.path("loadMillis").asLong(0));
                    SimHttp.json(ex, 200, SimHttp.json().createObjectNode().put("loaded", loaded));
                }
                case "GET /v1/models" -> SimHttp.json(ex, 200, models());
                case "POST /api/chat" -> completion(ex, false);
                case "POST /v1/chat/completions" -> completion(ex, true);
                case "POST /_sim/fault" -> {
                    JsonNode body = SimHttp.json().readTree(ex.getRequestBody());
                    inject(new Fault(body.path("mode").asText("none"), body.path("status").asInt(500), body.path("count").asInt(-1),
                            body.path("fraction").asDouble(1.0)));
                    SimHttp.json(ex, 200, SimHttp.json().createObjectNode().put("fault", faults.current().mode()));
                }
                case "POST /_sim/usage" -> {
                    JsonNode body = SimHttp.json().readTree(ex.getRequestBody());
                    if (!body.path("report").asBoolean(true)) {
                        reportNoUsage();
                    } else if (body.has("input")) {
                        reportUsage(body.path("input").asInt(), body.path("output").asInt());
                    } else {
                        reportEstimatedUsage();
                    }
                    SimHttp.json(ex, 200, SimHttp.json().createObjectNode().put("usage", String.valueOf(fixedUsage)));
                }
                case "GET /_sim/stats" -> SimHttp.json(ex, 200, SimHttp.json().createObjectNode().put("name", options.name())
                        .put("reportedTokens", reportedTokens.get())
                        .put("requests", requests.get()).put("inflight", inflight.get()).put("maxInflight", maxInflight.get())
                        .put("queued", queued.get()));
                default -> SimHttp.text(ex, 404, "404 page not found");
            }
        }
    }

    private ObjectNode loadedModels() {
        ObjectNode root = SimHttp.json().createObjectNode();
        ArrayNode models = root.putArray("models");
        if (loaded) {
            models.addObject().put("name", options.model()).put("model", options.model()).put("size", 0)
                    .put("digest", "sha256:" + "0".repeat(64)).put("expires_at", Instant.now().plusSeconds(300).toString())
                    .put("size_vram", 0);
        }
        return root;
    }

    private ObjectNode tags() {
        ObjectNode root = SimHttp.json().createObjectNode();
        ObjectNode m = root.putArray("models").addObject();
        m.put("name", options.model()).put("model", options.model()).put("modified_at", Instant.EPOCH.toString())
                .put("size", 0).put("digest", "sha256:" + "0".repeat(64));
        m.putObject("details").put("format", "gguf").put("family", "sim").put("parameter_size", "0B")
                .put("quantization_level", "none");
        return root;
    }

    private ObjectNode models() {
        ObjectNode root = SimHttp.json().createObjectNode().put("object", "list");
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
                req = SimHttp.json().readTree(ex.getRequestBody());
            } catch (IOException e) {
                SimHttp.error(ex, openAi, 400, "invalid JSON body: " + e.getMessage());
                return;
            }
            if (req == null || !req.path("messages").isArray()) {
                SimHttp.error(ex, openAi, 400, "\"messages\" is required");
                return;
            }
            Fault f = faults.take();
            if (f.fraction() < 1.0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() >= f.fraction()) {
                f = Fault.NONE; // this request is one of those the fault spares
            }
            switch (f.mode()) {
                case "error" -> {
                    SimHttp.error(ex, openAi, f.status(), "injected failure");
                    return;
                }
                case "hang" -> {
                    Pacing.sleep(3_600_000);
                    return;
                }
                case "garbage" -> {
                    SimHttp.text(ex, 200, "}{ this is not JSON \u0000\u0001");
                    return;
                }
                case "drip" -> {
                    SimHttp.drip(ex, Math.max(1, f.status()));
                    return;
                }
                default -> { }
            }
            JsonNode max = req.has("max_completion_tokens") ? req.get("max_completion_tokens")
                    : req.has("max_tokens") ? req.get("max_tokens") : req.path("options").path("num_predict");
            lastMaxTokens = max.isNumber() ? max.asInt() : -1;
            lastTraceparent = ex.getRequestHeaders().getFirst("traceparent");
            SimReply reply = brain.answer(messages(req.path("messages")), toolNames(req.path("tools")));
            if (reply.status() != 200) {
                SimHttp.error(ex, openAi, reply.status(), "failure requested by a [[sim:status]] directive");
                return;
            }
            if (!takeSlot()) {
                // Ollama's words when OLLAMA_MAX_QUEUE is exceeded
                SimHttp.error(ex, openAi, 503, "server busy, please try again.  maximum pending requests exceeded");
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
            Pacing.sleep(loadMillis); // loading the model into memory
            loaded = true;
        }
        Pacing.sleep(options.ttft().toMillis() + reply.extraDelayMillis() + slow);
        // Ollama streams unless told not to; OpenAI only when asked.
        boolean stream = openAi ? req.path("stream").asBoolean(false) : req.path("stream").asBoolean(true);
        String model = req.path("model").asText(options.model());
        TokenUsage usage = usage(req, reply);
        boolean cut = "cut".equals(f.mode());
        if (openAi) {
            if (stream) {
                boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
                OpenAiFormat.stream(ex, model, reply, usage, includeUsage, options.tokenDelay().toMillis(), f);
                if (includeUsage) {
                    reported(usage);
                }
            } else {
                Pacing.sleep(options.tokenDelay().toMillis() * Math.max(0, reply.tokens().size() - 1));
                SimHttp.answer(ex, OpenAiFormat.completion(model, reply, usage), cut);
                if (!cut) {
                    reported(usage);
                }
            }
        } else {
            if (stream) {
                OllamaFormat.stream(ex, model, reply, usage, options.tokenDelay().toMillis(), f);
            } else {
                Pacing.sleep(options.tokenDelay().toMillis() * Math.max(0, reply.tokens().size() - 1));
                SimHttp.answer(ex, OllamaFormat.completion(model, reply, usage), cut);
            }
            if (!cut) {
                reported(usage);
            }
        }
    }

    /**
     * What the answer reports spending: as set by {@code POST /_sim/usage}, else about a token per
     * four characters in and a token per word out; null when it reports nothing.
     */
    private TokenUsage usage(JsonNode req, SimReply reply) {
        TokenUsage fixed = fixedUsage;
        TokenUsage u = fixed != null ? fixed
                : new TokenUsage(req.path("messages").toString().length() / 4, Math.max(1, reply.tokens().size()));
        if (u.inputTokenCount() < 0) {
            return null;
        }
        return u;
    }

    /** Counts what an answer reported once it was sent whole (a cut stream sent no usage). */
    private void reported(TokenUsage u) {
        if (u != null) {
            reportedTokens.addAndGet(u.totalTokenCount());
        }
    }

    private static List<SimBrain.Msg> messages(JsonNode array) {
        List<SimBrain.Msg> out = new ArrayList<>();
        for (JsonNode m : array) {
            String text = MessageJson.text(m.get("content"));
            out.add(new SimBrain.Msg(m.path("role").asText(""), text == null ? "" : text));
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
}
