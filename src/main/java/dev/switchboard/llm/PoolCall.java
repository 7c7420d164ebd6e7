package dev.switchboard.llm;

import dev.switchboard.errors.ErrorCode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.config.HedgeAfter;
import dev.switchboard.trace.TurnTrace;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One call through the pool: its tries, one backend after another, until one answers. At most two
 * tries run at once (a hedge); the first to produce output wins and the other is cancelled. A
 * stream that breaks after output resumes on another backend, the caller seeing one answer.
 * Everything of a call runs on the event loop it started on.
 */
final class PoolCall {
    private static final Logger LOG = Logger.getLogger(PoolCall.class);

    /**
     * How a resumed stream asks the next backend to go on. The partial answer goes before it as the
     * assistant's own words, so the model continues them rather than starting over.
     */
    static final String CONTINUE_INSTRUCTION = "Continue your previous answer exactly where it stopped, mid-word if need be. "
            + "Do not repeat any of it and do not comment on the interruption; write only the rest.";

    private final BackendPool pool;
    private final String alias;
    private final String sessionKey;
    private final ChatRequest original;
    final TokenSink tokens;
    final Cancellation cancel;
    private final UsageMeter meter;
    /** This call's span ({@code chat <alias>}, GenAI conventions): a no-op one when the turn is not traced. */
    final Span span;
    private Usage spentHere = Usage.NONE;
    private final UniEmitter<? super ChatResponse> result;
    private final Set<Backend> tried = new HashSet<>();
    final List<Attempt> live = new ArrayList<>(2);
    private ChatRequest request;
    /** What broken attempts already gave the caller; the answer goes on from here. */
    private String prefix = "";
    private int resumes;
    private int attempts;
    private Attempt winner;
    private boolean hedged;
    private boolean done;
    private BackendFailure last;

    PoolCall(BackendPool pool, String alias, String sessionKey, ChatRequest request, TokenSink tokens, Cancellation cancel,
             UsageMeter meter, TurnTrace trace, UniEmitter<? super ChatResponse> result) {
        this.meter = meter;
        this.span = trace.child("chat " + alias, SpanKind.CLIENT);
        if (span.isRecording()) {
            span.setAttribute("gen_ai.operation.name", "chat");
            span.setAttribute("gen_ai.request.model", alias);
            if (request.parameters().maxOutputTokens() != null) {
                span.setAttribute("gen_ai.request.max_tokens", request.parameters().maxOutputTokens());
            }
            span.setAttribute("switchboard.stream", tokens != null);
        }
        this.pool = pool;
        this.alias = alias;
        this.sessionKey = sessionKey;
        this.original = request;
        this.request = request;
        this.tokens = tokens;
        this.cancel = cancel;
        this.result = result;
    }

    /** A try ended: what it cost goes to the caller's meter (a failed call's tries were spent too). */
    void spent(Usage usage) {
        if (usage.total() > 0) {
            spentHere = spentHere.plus(usage);
            if (meter != null) {
                meter.add(usage);
            }
        }
    }

    /** The W3C traceparent of this call's span, for the backend; null when untraced. */
    String traceparent() {
        SpanContext c = span.getSpanContext();
        return c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
    }

    void next() {
        if (cancelled()) {
            fail(new LlmException(ErrorCode.CANCELLED, "the completion was cancelled"));
        } else if (attempts > pool.spec().retries()) {
            giveUp();
        } else {
            pool.admission().acquire(alias, sessionKey, tried, cancel, this::run, this::fail);
        }
    }

    /** @param b the backend to try, or null when every usable one of the alias and its fallbacks was tried */
    private void run(Backend b) {
        if (b == null) {
            giveUp();
            return;
        }
        attempts++;
        Attempt a = new Attempt(pool, this, b, request, false);
        live.add(a);
        a.start();
        if (!hedged && resumes == 0 && pool.spec().hedgeAfter().enabled()) {
            scheduleHedge(a);
        }
    }

    /** A second backend for the same request when the first one's first token is late. */
    private void scheduleHedge(Attempt first) {
        HedgeAfter h = pool.spec().hedgeAfter();
        long after = h.fixed() != null ? h.fixed().toMillis() : (long) first.backend.ttftPercentile(h.percentile());
        if (after <= 0) {
            return; // too few measurements for a percentile yet
        }
        hedged = true;
        first.hedgeTimer = pool.vertx().setTimer(after, id -> {
            if (done || winner != null || !live.contains(first) || cancelled()) {
                return;
            }
            Set<Backend> busy = new HashSet<>(tried);
            live.forEach(x -> busy.add(x.backend));
            Backend b = pool.admission().takeNow(alias, sessionKey, busy);
            if (b == null) {
                return; // no other backend has room now: a hedge must not queue
            }
            pool.metrics().hedged(alias);
            LOG.debugf("hedging: backend=%s has no first token after %d ms; asking %s too", first.backend.name(), after, b.name());
            Attempt hedge = new Attempt(pool, this, b, request, true);
            live.add(hedge);
            hedge.start();
        });
    }

    /**
     * The first attempt to produce output (a token, or a whole answer) wins the call; any other
     * running attempt is cancelled at once. False for an attempt that lost.
     */
    boolean claim(Attempt a) {
        if (winner == null) {
            winner = a;
            for (Attempt other : List.copyOf(live)) {
                if (other != a) {
                    other.end(null, new Attempt.HedgeLost());
                }
            }
            if (a.hedge) {
                pool.metrics().hedgeWon(alias);
            }
        }
        return winner == a;
    }

    void answered(Attempt a, ChatResponse response) {
        live.remove(a);
        complete(prefix.isEmpty() ? response : stitch(response));
    }

    /** The resumed answer as one: the text the caller already has, then the rest. */
    private ChatResponse stitch(ChatResponse rest) {
        AiMessage ai = rest.aiMessage();
        String text = prefix + (ai.text() == null ? "" : ai.text());
        AiMessage whole = ai.hasToolExecutionRequests() ? AiMessage.from(text, ai.toolExecutionRequests()) : AiMessage.from(text);
        return ChatResponse.builder().aiMessage(whole).metadata(rest.metadata()).build();
    }

    /** An attempt failed before it gave output. */
    void failedBeforeOutput(Attempt a, Throwable error) {
        live.remove(a);
        if (winner == a) {
            winner = null;
        }
        if (!live.isEmpty()) {
            // the other attempt of a hedge goes on; this backend's failure counts as any other's would
            tried.add(a.backend);
            charge(a.backend, BackendFailure.classify(error));
            return;
        }
        failed(a.backend, error);
    }

    /** An attempt broke after the caller got part of its answer. */
    void brokeAfterOutput(Attempt a, Throwable error) {
        live.remove(a);
        BackendFailure f = BackendFailure.classify(error);
        pool.metrics().failed(a.backend, f.kind());
        pool.log(a.backend, a.backend.health().failure(f.message()));
        tried.add(a.backend);
        prefix = prefix + a.text;
        if (!pool.spec().resumeMidStream() || resumes >= pool.spec().maxResumes() || cancelled()) {
            interrupted(a.backend.name() + " failed after it began to answer (" + f.message() + ")");
            return;
        }
        resumes++;
        winner = null;
        request = continuation();
        String from = a.backend.name();
        pool.admission().acquire(alias, sessionKey, tried, cancel, b -> {
            if (b == null) {
                interrupted(from + " failed after it began to answer (" + f.message() + ") and no other backend could go on");
                return;
            }
            pool.metrics().resumed(from, b.name());
            if (span.isRecording()) {
                span.addEvent("resume", Attributes.of(AttributeKey.stringKey("from"), from, AttributeKey.stringKey("to"), b.name(),
                        AttributeKey.longKey("after_chars"), (long) prefix.length()));
            }
            LOG.infof("resuming a broken stream: from=%s to=%s after %d characters (%s)", from, b.name(), prefix.length(), f.message());
            tokens.resumed(from, b.name());
            attempts++;
            Attempt next = new Attempt(pool, this, b, request, false);
            live.add(next);
            next.start();
        }, this::fail);
    }

    private ChatRequest continuation() {
        List<ChatMessage> messages = new ArrayList<>(original.messages());
        messages.add(AiMessage.from(prefix));
        messages.add(UserMessage.from(CONTINUE_INSTRUCTION));
        return original.toBuilder().messages(messages).build();
    }

    private void interrupted(String why) {
        fail(new LlmException(ErrorCode.BACKEND_INTERRUPTED, "backend " + why + "; the turn was not stored"));
    }

    void failed(Backend b, Throwable error) {
        last = BackendFailure.classify(error);
        tried.add(b);
        LOG.debugf("backend=%s attempt=%d failed: %s", b.name(), attempts, last.message());
        charge(b, last);
        if (last.kind() == BackendFailure.Kind.REQUEST) {
            fail(prefix.isEmpty() ? new LlmException(ErrorCode.BAD_REQUEST, "backend " + b.name() + " refused the request: " + last.message())
                    : new LlmException(ErrorCode.BACKEND_INTERRUPTED, "backend " + b.name() + " refused to continue a broken answer: "
                    + last.message() + "; the turn was not stored"));
            return;
        }
        next();
    }

    /**
     * What a failure before output says about its backend, counted the same for a plain try and for
     * a hedge: busy (429/503) starts a cooldown and a refused request (other 4xx) is the request's
     * fault, neither counts against the backend's health; anything else does.
     */
    private void charge(Backend b, BackendFailure f) {
        pool.metrics().failed(b, f.kind());
        switch (f.kind()) {
            case BUSY -> {
                b.busy(pool.clock().millis());
                b.health().neutral();
            }
            case REQUEST -> b.health().neutral();
            default -> pool.log(b, b.health().failure(f.message()));
        }
    }

    private void giveUp() {
        if (!prefix.isEmpty()) {
            interrupted("streams broke and no backend could finish the answer"
                    + (last == null ? "" : " (last error: " + last.message() + ")"));
        } else if (last != null && last.kind() == BackendFailure.Kind.BUSY) {
            pool.metrics().overloaded(alias);
            fail(new LlmException(ErrorCode.OVERLOADED, "every backend for model '" + alias + "' is busy; try again shortly"));
        } else {
            fail(new LlmException(ErrorCode.BACKEND_UNAVAILABLE, "no backend for model '" + alias + "' could answer"
                    + (last == null ? "" : " (last error: " + last.message() + ")")));
        }
    }

    private void complete(ChatResponse response) {
        if (!done) {
            done = true;
            if (span.isRecording()) {
                if (response.modelName() != null) {
                    span.setAttribute("gen_ai.response.model", response.modelName());
                }
                if (response.id() != null) {
                    span.setAttribute("gen_ai.response.id", response.id());
                }
                span.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"),
                        List.of(response.aiMessage().hasToolExecutionRequests() ? "tool_calls"
                                : response.finishReason() == null ? "stop" : response.finishReason().name().toLowerCase()));
                endSpan();
            }
            span.end();
            result.complete(response);
        }
    }

    /** What every span of a call ends with: its tries' tokens, how many tries and resumes. */
    private void endSpan() {
        span.setAttribute("gen_ai.usage.input_tokens", spentHere.input());
        span.setAttribute("gen_ai.usage.output_tokens", spentHere.output());
        if (spentHere.estimated()) {
            span.setAttribute("switchboard.usage.estimated", true);
        }
        span.setAttribute("switchboard.tries", attempts);
        span.setAttribute("switchboard.resumes", resumes);
    }

    void fail(Throwable error) {
        if (!done) {
            done = true;
            if (span.isRecording()) {
                String type = error instanceof LlmException e ? e.code() : error.getClass().getSimpleName();
                span.setStatus(StatusCode.ERROR, type);
                span.setAttribute("error.type", type);
                endSpan();
            }
            span.end();
            for (Attempt other : List.copyOf(live)) {
                other.end(null, new Attempt.HedgeLost());
            }
            result.fail(error);
        }
    }

    private boolean cancelled() {
        return cancel != null && cancel.isCancelled();
    }
}
