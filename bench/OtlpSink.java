import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector of bin/bench tracing: accepts OTLP http/protobuf exports ({@code POST /v1/traces})
 * and throws them away, counting requests and bytes, so a traced run pays for making and sending
 * its spans and nothing for storing them.
 *
 *   java -cp target/bench OtlpSink 14319
 */
public class OtlpSink {
    public static void main(String[] args) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/v1/traces", ex -> {
            try (ex) {
                bytes.addAndGet(ex.getRequestBody().readAllBytes().length);
                requests.incrementAndGet();
                ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, -1);
            }
        });
        server.createContext("/stats", ex -> {
            try (ex) {
                byte[] body = ("requests=" + requests.get() + " bytes=" + bytes.get()).getBytes();
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        server.start();
    }
}
