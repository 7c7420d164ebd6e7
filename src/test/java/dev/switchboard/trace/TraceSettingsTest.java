package dev.switchboard.trace;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tracing is on exactly when the standard variables say so; a query's credentials never reach a span. */
class TraceSettingsTest {

    @Test
    void an_otlp_endpoint_turns_tracing_on_and_otel_sdk_disabled_turns_it_off() {
        assertTrue(OtelEnvironment.disabled(Map.<String, String>of()::get), "nothing set: off, and free");
        assertFalse(OtelEnvironment.disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")::get));
        assertFalse(OtelEnvironment.disabled(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces")::get));
        assertTrue(OtelEnvironment.disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
                "OTEL_SDK_DISABLED", "true")::get));
        assertTrue(OtelEnvironment.disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " ")::get), "blank is not an endpoint");
        assertEquals("true", new OtelEnvironment(Map.<String, String>of()::get).getValue("quarkus.otel.sdk.disabled"));
    }

    @Test
    void with_the_sdk_disabled_a_turn_records_nothing_even_from_quarkus_s_sdk() {
        // what Quarkus hands out with quarkus.otel.sdk.disabled=true: a live SDK, always-on sampler
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
        assertFalse(new Tracing(sdk, true).turn("alice", "m1", "r1", null).recording(), "off: a no-op span");
        assertTrue(new Tracing(sdk, false).turn("alice", "m1", "r1", null).recording(), "on: the SDK's span");
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", new Tracing(sdk, true).turn("alice", "m1", "r1", traceparent).traceId(),
                "off, the client's trace id still reaches error frames");
    }

    @Test
    void the_clientId_and_the_token_of_a_query_are_redacted() {
        assertEquals("clientId=REDACTED&token=REDACTED", QueryRedaction.redact("clientId=tg-42&token=v1.abc.def"));
        assertEquals("x=1&token=REDACTED&CLIENTID=REDACTED", QueryRedaction.redact("x=1&token=s3cret&CLIENTID=alice"));
        assertEquals("model=chat", QueryRedaction.redact("model=chat"));
    }
}
