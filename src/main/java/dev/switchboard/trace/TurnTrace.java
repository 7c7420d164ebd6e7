package dev.switchboard.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The span of one turn (or one gateway request) and the way to hang children under it: the
 * session store's scripts, the pool's completions, tool calls. Passed along with the turn, never
 * looked up from a thread. {@link #NONE} is for work nobody traces (tests, the training run).
 */
public final class TurnTrace {
    public static final TurnTrace NONE = new TurnTrace(OpenTelemetry.noop().getTracer("none"), Span.getInvalid(), false);
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.outcome");

    private final Tracer tracer;
    private final Span span;
    private final Context context;
    private final boolean owned;

    TurnTrace(Tracer tracer, Span span) {
        this(tracer, span, true);
    }

    TurnTrace(Tracer tracer, Span span, boolean owned) {
        this.tracer = tracer;
        this.span = span;
        this.context = Context.root().with(span);
        this.owned = owned;
    }

    /** Whether spans under this one are recorded (tracing on, and this turn sampled). */
    public boolean recording() {
        return span.isRecording();
    }

    /** The trace id a user can quote, or null when the turn is not traced. */
    public String traceId() {
        return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    public Span span() {
        return span;
    }

    /** A child span, started now; the caller ends it. */
    public Span child(String name, SpanKind kind) {
        if (!recording()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setParent(context).setSpanKind(kind).startSpan();
    }

    public void event(String name, Attributes attributes) {
        if (recording()) {
            span.addEvent(name, attributes);
        }
    }

    /** Ends the turn's span with its outcome ({@code answered}, {@code replayed} or an error code). */
    public void end(String outcome, boolean failed) {
        if (!owned) {
            return;
        }
        if (recording()) {
            span.setAttribute(OUTCOME, outcome);
            if (failed) {
                span.setStatus(StatusCode.ERROR, outcome);
                span.setAttribute(AttributeKey.stringKey("error.type"), outcome);
            }
        }
        span.end();
    }
}
