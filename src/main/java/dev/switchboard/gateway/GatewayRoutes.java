package dev.switchboard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.errors.ErrorCode;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.llm.Cancellation;
import dev.switchboard.llm.LlmException;
import dev.switchboard.llm.Usage;
import dev.switchboard.llm.UsageMeter;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.openai.CompletionJson;
import dev.switchboard.trace.Tracing;
import dev.switchboard.trace.TurnTrace;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.UUID;

/**
 * An OpenAI-compatible API on every replica ({@code POST /v1/chat/completions}, streaming and not,
 * and {@code GET /v1/models}), served by the same backend pool as the chat socket: a Telegram bot
 * written with the OpenAI SDK, or a LangChain app, gets balancing, health checks and failover by
 * pointing its base URL here. {@code model} is a model alias of the swarm file. The {@code user}
 * field or an {@code X-Session-Id} header is the affinity key of {@code session-affinity}.
 */
@ApplicationScoped
public class GatewayRoutes {
    private static final Logger LOG = Logger.getLogger(GatewayRoutes.class);

    private final BackendPool pool;
    private final OpenAiWire wire;
    private final CompletionJson answers;
    private final ObjectMapper json;
    private final BearerKeys keys;
    private final SwitchboardConfig.Gateway config;
    private final KeyBudgets budgets;
    private final Tracing tracing;

    public GatewayRoutes(BackendPool pool, ObjectMapper json, SwitchboardConfig config, KeyBudgets budgets, Tracing tracing) {
        this.pool = pool;
        this.tracing = tracing;
        this.budgets = budgets;
        this.json = json;
        this.config = config.gateway();
        this.wire = new OpenAiWire(json, this.config.maxTokens(), this.config.maxMessages());
        this.answers = new CompletionJson(json);
        this.keys = new BearerKeys(config.gateway().apiKeys().orElse(List.of()));
    }

    void routes(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        if (keys.open() && !config.allowOpen()) {
            LOG.info("the OpenAI-compatible gateway on /v1 answers 401 to everyone: set SB_GATEWAY_API_KEYS "
                    + "(or SB_GATEWAY_ALLOW_OPEN=true to serve it without keys)");
        } else if (keys.open()) {
            LOG.warn("the OpenAI-compatible gateway on /v1 is open to anyone who reaches it (SB_GATEWAY_ALLOW_OPEN=true)");
        }
        router.get("/v1/models").handler(this::models);
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .handler(this::completions);
    }

    /** Checked in each handler, for the request it serves: closed unless a key (or allow-open) opens it. */
    private boolean authorized(RoutingContext rc) {
        if (keys.open() && config.allowOpen() || keys.accepts(rc.request().getHeader("Authorization"))) {
            return true;
        }
        send(rc.response(), 401, answers.error("a valid API key is required: Authorization: Bearer KEY",
                "invalid_request_error", "invalid_api_key"));
        return false;
    }

    private void models(RoutingContext rc) {
        if (!authorized(rc)) {
            return;
        }
        ObjectNode root = json.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String alias : pool.aliases()) {
            data.addObject().put("id", alias).put("object", "model").put("created", 0).put("owned_by", "switchboard");
        }
        send(rc.response(), 200, root);
    }

    private void completions(RoutingContext rc) {
        if (!authorized(rc)) {
            return;
        }
        OpenAiWire.Request req;
        try {
            req = wire.parse(rc.body().asString());
        } catch (OpenAiWire.Invalid e) {
            send(rc.response(), 400, answers.error(e.getMessage(), "invalid_request_error", "invalid_request"));
            return;
        }
        if (!pool.aliases().contains(req.alias())) {
            send(rc.response(), 404, answers.error("the model '" + req.alias() + "' does not exist; GET /v1/models lists them",
                    "invalid_request_error", "model_not_found"));
            return;
        }
        String sessionKey = rc.request().getHeader("X-Session-Id") != null ? rc.request().getHeader("X-Session-Id") : req.user();
        String keyId = keys.open() ? "open" : KeyBudgets.idOf(bearer(rc));
        budgets.admit(keyId).subscribe().with(waitMillis -> {
            if (waitMillis > 0) {
                long seconds = (waitMillis + 999) / 1000;
                rc.response().putHeader("Retry-After", String.valueOf(seconds));
                send(rc.response(), 429, answers.error("this key spent its tokens for now; retry after " + seconds + " s",
                        "tokens", "rate_limit_exceeded"));
                return;
            }
            // the pool does not block: the call runs on this request's event loop from start to end
            UsageMeter meter = new UsageMeter();
            if (req.stream()) {
                stream(rc.response(), req, sessionKey, meter, keyId);
            } else {
                complete(rc.response(), req, sessionKey, meter, keyId);
            }
        }, e -> {
            LOG.warnf("gateway key budgets unavailable: %s", e.getMessage());
            send(rc.response(), 503, error(ErrorCode.STORE_UNAVAILABLE));
        });
    }

    private static String bearer(RoutingContext rc) {
        return rc.request().getHeader("Authorization").substring(7).trim();
    }

    /** The backend's own count when it gave one, else what the meter summed (estimated where needed). */
    private static TokenUsage usageOf(ChatResponse r, UsageMeter meter) {
        if (r.tokenUsage() != null && meter.completions() <= 1) {
            return r.tokenUsage();
        }
        Usage u = meter.total();
        return new TokenUsage((int) u.input(), (int) u.output());
    }

    private void complete(HttpServerResponse response, OpenAiWire.Request req, String sessionKey, UsageMeter meter, String keyId) {
        TurnTrace trace = tracing.gatewayRequest(keyId, req.alias());
        pool.chat(req.alias(), sessionKey, req.chat(), null, null, meter, trace)
                .onTermination().invoke((r, e, cancelled) -> {
                    budgets.spend(keyId, meter.total());
                    trace.end(outcome(e), e != null);
                })
                .subscribe().with(
                r -> send(response, 200, answers.completion(new CompletionJson.Head(id(), req.alias(), now()),
                        r.aiMessage(), CompletionJson.finishReason(r.aiMessage(), r.finishReason()), usageOf(r, meter))),
                e -> failed(response, e));
    }

    private void failed(HttpServerResponse response, Throwable error) {
        ErrorCode code = codeOf(error);
        send(response, code.httpStatus(), error(code));
    }

    /** A request's outcome for its span: {@code answered}, or the code the client was told. */
    private static String outcome(Throwable error) {
        return error == null ? "answered" : error instanceof LlmException l ? l.code() : ErrorCode.INTERNAL.code();
    }

    /** The client's view of a failure; what happened inside goes to the log only. */
    private static ErrorCode codeOf(Throwable error) {
        if (error instanceof LlmException e) {
            LOG.debugf("gateway completion failed: %s %s", e.code(), e.getMessage());
            return e.error();
        }
        LOG.errorf(error, "gateway completion failed");
        return ErrorCode.INTERNAL;
    }

    private ObjectNode error(ErrorCode code) {
        String type = code == ErrorCode.BAD_REQUEST ? "invalid_request_error" : "server_error";
        return answers.error(code.clientText(), type, code.code());
    }

    private void stream(HttpServerResponse response, OpenAiWire.Request req, String sessionKey, UsageMeter meter, String keyId) {
        TurnTrace trace = tracing.gatewayRequest(keyId, req.alias());
        CompletionJson.Head head = new CompletionJson.Head(id(), req.alias(), now());
        Cancellation cancel = new Cancellation();
        response.closeHandler(v -> cancel.cancel()); // the client hung up: close the backend's stream too
        boolean[] started = {false};
        pool.chat(req.alias(), sessionKey, req.chat(), text -> {
            if (!started[0]) {
                begin(response);
                event(response, answers.firstChunk(head, true).toString());
                started[0] = true;
            }
            event(response, answers.contentChunk(head, text).toString());
        }, cancel, meter, trace).onTermination().invoke((r, e, cancelled) -> {
            budgets.spend(keyId, meter.total());
            trace.end(outcome(e), e != null);
        }).subscribe().with(r -> {
            if (response.closed()) {
                return;
            }
            if (!started[0]) {
                begin(response);
                event(response, answers.firstChunk(head, false).toString());
            }
            event(response, answers.lastChunk(head, r.aiMessage().toolExecutionRequests(),
                    CompletionJson.finishReason(r.aiMessage(), r.finishReason())).toString());
            if (req.includeUsage()) {
                event(response, answers.usageChunk(head, usageOf(r, meter)).toString());
            }
            event(response, "[DONE]");
            response.end();
        }, error -> {
            if (response.closed() || response.ended()) {
                LOG.debugf("gateway stream ended: %s", error.getMessage());
            } else if (error instanceof LlmException && (started[0] || response.headWritten())) {
                // mid-stream: the status is gone already, so the error travels as an event, as OpenAI does
                event(response, error(codeOf(error)).toString());
                response.end();
            } else {
                failed(response, error);
            }
        });
    }

    private static void begin(HttpServerResponse response) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
    }

    /**
     * Writes one event without waiting for it to leave. A client that reads slower than the backend
     * answers fills the write queue: it is cut off (the throw stops the backend's stream) rather
     * than let tokens pile up in memory.
     */
    private static void event(HttpServerResponse response, String data) {
        if (response.closed()) {
            throw new IllegalStateException("the client went away");
        }
        if (response.writeQueueFull()) {
            response.reset();
            throw new IllegalStateException("the client reads too slowly");
        }
        response.write(Buffer.buffer("data: " + data + "\n\n"));
    }

    private static void send(HttpServerResponse response, int status, ObjectNode body) {
        if (response.closed() || response.ended()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static String id() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
