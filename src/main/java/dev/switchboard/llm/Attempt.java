package dev.switchboard.llm;

import dev.switchboard.errors.ErrorCode;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * One try on one backend, bounded as a whole by the backend's {@code timeout} (a Vert.x timer:
 * the transport's idle timeout alone would let a slow-loris body drip forever) and, once output
 * began, by {@code stall-timeout} between tokens. It ends once — answer, error, timeout, stall,
 * cancel or a lost hedge — and gives the backend's slot back at that moment.
 */
final class Attempt implements StreamingChatResponseHandler {
    /** Ends the attempt that lost a hedge (or outlived its call): not the backend's fault. */
    static final class HedgeLost extends CancellationException {
        HedgeLost() {
            super("another attempt answered first");
        }
    }

    private final BackendPool pool;
    private final PoolCall call;
    final Backend backend;
    private final ChatRequest request;
    final boolean hedge;
    private final Exchange exchange = new Exchange();
    private final long started = System.nanoTime();
    /** The text this attempt gave the caller, for a resume. */
    final StringBuilder text = new StringBuilder();
    private long firstToken;
    private volatile long lastToken;
    private boolean forwarded;
    /** Characters of output received, forwarded or not: a try that ends unreported is charged for them. */
    private long receivedChars;
    private boolean ended;
    private long deadline;
    private long stallTimer = -1;
    long hedgeTimer = -1;
    private Runnable onCancel;

    Attempt(BackendPool pool, PoolCall call, Backend backend, ChatRequest request, boolean hedge) {
        this.pool = pool;
        this.call = call;
        this.backend = backend;
        this.request = request;
        this.hedge = hedge;
    }

    void start() {
        deadline = pool.vertx().setTimer(backend.spec().timeout().toMillis(), id -> end(null, new TimeoutException(
                "no complete answer within " + backend.spec().timeout().toMillis() + " ms")));
        if (call.cancel != null) {
            onCancel = () -> end(null, new CancellationException("cancelled"));
            call.cancel.onCancel(onCancel);
        }
        // a no-op when LangChain4j has already answered; else the stream ended without its last message
        exchange.onEnd(() -> end(null, new java.io.IOException("the backend's stream ended without its final message")));
        exchange.traceparent = call.traceparent();
        if (call.span.isRecording()) {
            call.span.addEvent("try", Attributes.builder().put("backend", backend.name())
                    .put("gen_ai.provider.name", backend.spec().provider().id())
                    .put("server.address", backend.spec().baseUrl().getHost())
                    .put("server.port", (long) backend.spec().baseUrl().getPort())
                    .put("hedge", hedge).build());
        }
        try {
            backend.client().complete(request, call.tokens != null, exchange, this);
        } catch (RuntimeException e) {
            end(null, e);
        }
    }

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        synchronized (this) {
            if (ended) {
                return;
            }
            lastToken = System.nanoTime();
            receivedChars += partial.text() == null ? 0 : partial.text().length();
            if (firstToken == 0) {
                firstToken = lastToken;
                if (call.span.isRecording()) {
                    call.span.addEvent("first_token", Attributes.of(AttributeKey.stringKey("backend"), backend.name(),
                            AttributeKey.doubleKey("ttft_ms"), (firstToken - started) / 1e6));
                }
                if (!call.claim(this)) {
                    return; // lost the hedge: claim has ended this attempt
                }
                watchForStall();
            }
            if (call.tokens == null) {
                return;
            }
            forwarded = true;
            text.append(partial.text());
        }
        try {
            call.tokens.token(partial.text());
        } catch (RuntimeException e) {
            // the receiver gave up (its client went away): stop paying for tokens nobody reads
            end(null, new CancellationException("token receiver failed: " + e.getMessage()));
        }
    }

    /** One periodic check per attempt, not a timer reset per token: a token costs a field write. */
    private void watchForStall() {
        long limit = pool.spec().stallTimeout().toNanos();
        stallTimer = pool.vertx().setPeriodic(Math.max(10, pool.spec().stallTimeout().toMillis() / 4), id -> {
            if (System.nanoTime() - lastToken > limit) {
                end(null, new TimeoutException("stalled: no token for " + pool.spec().stallTimeout().toMillis() + " ms"));
            }
        });
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        end(response, null);
    }

    @Override
    public void onError(Throwable error) {
        end(null, error);
    }

    /**
     * What this try cost: the backend's own report when it gave one; else an estimate, for a try
     * the backend worked on (an answer, output before a cut, a hedge lost or a cancel after the
     * request was sent) — the prompt, and the output received. A try refused before any output
     * (a connect error, a 5xx, a 429) is charged nothing.
     */
    private Usage spent(ChatResponse response, Throwable error) {
        TokenUsage reported = response == null ? null : response.tokenUsage();
        if (reported != null && reported.inputTokenCount() != null) {
            return new Usage(reported.inputTokenCount(), reported.outputTokenCount() == null ? 0 : reported.outputTokenCount(), false);
        }
        boolean worked = response != null || firstToken != 0 || error instanceof CancellationException;
        if (!worked) {
            return Usage.NONE;
        }
        long output = response != null ? TokenEstimate.of(response.aiMessage()) : (receivedChars + 3) / 4;
        return new Usage(TokenEstimate.of(request), output, true);
    }

    void end(ChatResponse response, Throwable error) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        pool.vertx().cancelTimer(deadline);
        if (stallTimer >= 0) {
            pool.vertx().cancelTimer(stallTimer);
        }
        if (hedgeTimer >= 0) {
            pool.vertx().cancelTimer(hedgeTimer);
        }
        if (onCancel != null) {
            call.cancel.forget(onCancel);
        }
        if (error != null) {
            exchange.abort(); // a timeout, cancel, lost hedge or broken stream must not keep the connection
        }
        pool.admission().release(backend);
        Usage cost = spent(response, error);
        if (call.span.isRecording()) {
            call.span.addEvent("try_end", Attributes.builder().put("backend", backend.name())
                    .put("outcome", response != null ? "answered" : error instanceof HedgeLost ? "hedge_lost"
                            : error instanceof CancellationException ? "cancelled" : forwarded ? "broken" : "failed")
                    .put("error", error == null ? "" : String.valueOf(error.getMessage()))
                    .put("input_tokens", cost.input()).put("output_tokens", cost.output()).build());
            if (response != null) {
                call.span.setAttribute("server.address", backend.spec().baseUrl().getHost());
                call.span.setAttribute("server.port", (long) backend.spec().baseUrl().getPort());
                call.span.setAttribute("gen_ai.provider.name", backend.spec().provider().id());
                call.span.setAttribute("switchboard.backend", backend.name());
            }
        }
        pool.metrics().spent(backend, cost);
        call.spent(cost);
        if (response != null) {
            if (!call.claim(this)) {
                call.live.remove(this);
                return;
            }
            long total = System.nanoTime() - started;
            long ttft = firstToken == 0 ? total : firstToken - started;
            backend.recordTtft(ttft / 1e6);
            pool.metrics().succeeded(backend, ttft, total);
            pool.log(backend, backend.health().success());
            call.answered(this, response);
        } else if (error instanceof HedgeLost) {
            backend.health().neutral();
            call.live.remove(this);
        } else if (error instanceof CancellationException) {
            backend.health().neutral();
            call.live.remove(this);
            call.fail(new LlmException(ErrorCode.CANCELLED, "the completion was cancelled"));
        } else if (forwarded) {
            call.brokeAfterOutput(this, error);
        } else {
            call.failedBeforeOutput(this, error);
        }
    }
}
