package dev.switchboard.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.regex.Pattern;

/**
 * Quarkus's HTTP server spans record the query string ({@code url.query}); on {@code /chat} that is
 * the clientId and the session token. This processor, picked up by Quarkus as a CDI bean, replaces
 * their values before any exporter sees the span: a trace must not carry a credential, and a
 * clientId only as the turn span's hash.
 */
@ApplicationScoped
public class QueryRedaction implements SpanProcessor {
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final Pattern SECRET = Pattern.compile("(?i)(^|&)(clientId|token)=[^&]*");

    static String redact(String query) {
        return SECRET.matcher(query).replaceAll("$1$2=REDACTED");
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String query = span.getAttribute(URL_QUERY);
        if (query != null && !query.isEmpty()) {
            span.setAttribute(URL_QUERY, redact(query));
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
