package dev.switchboard.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where turns get their trace: the tracer of Quarkus's OpenTelemetry, or a no-op one when tracing is
 * off. Quarkus's {@code quarkus.otel.sdk.disabled} turns its own instrumentation off but still hands
 * out the SDK, whose always-on sampler recorded every span of every turn for no exporter: 5 % of a
 * warm replica's CPU samples (bin/bench turns profile, issue 26). So the switch is read here too.
 */
@Singleton
public class Tracing {
    static final AttributeKey<String> CLIENT = AttributeKey.stringKey("switchboard.client.hash");
    static final AttributeKey<String> MESSAGE = AttributeKey.stringKey("switchboard.message.id");
    static final AttributeKey<String> REPLICA = AttributeKey.stringKey("switchboard.replica");
    private final Tracer tracer;

    public Tracing(OpenTelemetry otel, @ConfigProperty(name = OtelEnvironment.PROPERTY, defaultValue = "false") boolean disabled) {
        this.tracer = (disabled ? OpenTelemetry.noop() : otel).getTracer("dev.switchboard");
    }

    /**
     * A turn's span, a root or the child of the client's {@code traceparent}. The clientId is not recorded, only a hash of it (the same session gives
     * the same hash, so its turns can be found together; a clientId may be a secret-ish handle).
     */
    public TurnTrace turn(String clientId, String messageId, String replica, String traceparent) {
        Span span = tracer.spanBuilder("turn").setSpanKind(SpanKind.SERVER).setParent(parent(traceparent)).startSpan();
        if (span.isRecording()) {
            span.setAttribute(CLIENT, hash(clientId));
            if (messageId != null) {
                span.setAttribute(MESSAGE, messageId);
            }
            span.setAttribute(REPLICA, replica);
        }
        return new TurnTrace(tracer, span);
    }

    /**
     * The client's trace context as the turn's parent, so a front end's trace goes on into the tier
     * (and a parent-based sampler follows the client's sampled flag); none: the turn is a root.
     */
    private static Context parent(String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
    }

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return java.util.List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /** A gateway request's span ({@code POST /v1/chat/completions}); its completion hangs under it. */
    public TurnTrace gatewayRequest(String keyId, String alias) {
        Span span = tracer.spanBuilder("POST /v1/chat/completions").setSpanKind(SpanKind.SERVER).setParent(Context.root()).startSpan();
        if (span.isRecording()) {
            span.setAttribute("switchboard.gateway.key", keyId);
            span.setAttribute("gen_ai.request.model", alias);
        }
        return new TurnTrace(tracer, span);
    }

    static String hash(String clientId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(clientId.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
