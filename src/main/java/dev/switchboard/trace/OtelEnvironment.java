package dev.switchboard.trace;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Tracing is on exactly when an OTLP endpoint is given the standard way
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}), and
 * {@code OTEL_SDK_DISABLED=true} turns it off whatever else is set — what any OpenTelemetry SDK
 * does, mapped onto Quarkus's {@code quarkus.otel.sdk.disabled}. Its ordinal sits above
 * application.properties and below the environment and system properties, so an explicit
 * {@code QUARKUS_OTEL_SDK_DISABLED} still wins.
 */
public class OtelEnvironment implements ConfigSource {
    static final String PROPERTY = "quarkus.otel.sdk.disabled";
    private final Map<String, String> values;

    public OtelEnvironment() {
        this(System::getenv);
    }

    OtelEnvironment(Function<String, String> env) {
        this.values = Map.of(PROPERTY, String.valueOf(disabled(env)));
    }

    static boolean disabled(Function<String, String> env) {
        if ("true".equalsIgnoreCase(env.apply("OTEL_SDK_DISABLED"))) {
            return true;
        }
        return blank(env.apply("OTEL_EXPORTER_OTLP_ENDPOINT")) && blank(env.apply("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "switchboard-otel-environment";
    }

    @Override
    public int getOrdinal() {
        return 260;
    }
}
