package dev.switchboard.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test OTLP receiver ({@code http/protobuf}, {@code POST /v1/traces}) that decodes what a replica
 * exports with the opentelemetry-proto classes and keeps the spans; started before Quarkus, which
 * it points at itself.
 */
public class OtlpReceiver implements QuarkusTestResourceLifecycleManager {
    public static final int PORT = 14318;
    public static final List<Span> SPANS = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", PORT), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", ex -> {
            try (ex) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
                request.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> SPANS.addAll(s.getSpansList())));
                ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, 0);
            }
        });
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
