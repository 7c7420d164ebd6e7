import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Warms the simulator's JVM with requests sent to it directly (not through the tier), so that a
 * cold run measures the replicas' start and not the simulator's, which stands in for an LLM server
 * that has been running for days. Usage: SimWarm --url http://127.0.0.1:11591/v1 --requests 4000
 */
public class SimWarm {
    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:11591/v1";
        int requests = 4000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(url + "/chat/completions");
        AtomicInteger left = new AtomicInteger(requests);
        AtomicInteger failed = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofVirtual().start(() -> {
                while (left.getAndDecrement() > 0) {
                    // both shapes the replicas send: streamed with usage, and whole
                    boolean stream = (left.get() & 1) == 0;
                    String body = "{\"model\":\"bench\",\"stream\":" + stream + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                            + ",\"messages\":[{\"role\":\"system\",\"content\":\"warm-up\"},{\"role\":\"user\",\"content\":\"hello\"}]}";
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("requests=" + requests + " failed=" + failed.get());
        if (failed.get() > requests / 10) {
            System.exit(1);
        }
    }
}
