import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streaming through the tier vs straight from the backend: time to first token and the gaps
 * between tokens, C clients x M streamed answers each way. Direct is an Ollama /api/chat stream
 * from the simulator; through the tier it is a WebSocket message with "stream":true via nginx,
 * timed from the send to the first token frame and between token frames.
 *
 *   java -cp target/bench Stream --ws ws://127.0.0.1:28080/chat --sim http://127.0.0.1:11593 --clients 10 --messages 20
 *
 * Prints two key=value lines, "direct ..." and "tier ...".
 */
public class Stream {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Load.options(args);
        String ws = o.getOrDefault("ws", "ws://127.0.0.1:8080/chat");
        String sim = o.getOrDefault("sim", "http://127.0.0.1:11593");
        int clients = Integer.parseInt(o.getOrDefault("clients", "10"));
        int messages = Integer.parseInt(o.getOrDefault("messages", "20"));
        String run = o.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        Timings direct = new Timings();
        runClients(clients, c -> {
            for (int i = 0; i < messages; i++) {
                direct(http, sim, direct);
            }
        });
        Timings tier = new Timings();
        runClients(clients, c -> {
            Socket s = Socket.open(http, ws + "?clientId=stream-" + run + "-" + c);
            for (int i = 0; i < messages; i++) {
                s.streamedTurn("s-" + i, tier);
            }
            s.ws.abort();
        });
        System.out.println("direct " + direct.summary());
        System.out.println("tier " + tier.summary());
        System.exit(0);
    }

    interface ClientBody {
        void run(int client) throws Exception;
    }

    static void runClients(int clients, ClientBody body) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    body.run(client);
                } catch (Exception e) {
                    System.err.println("client " + client + ": " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** One Ollama stream: every non-final NDJSON line is a token. */
    static void direct(HttpClient http, String sim, Timings t) throws Exception {
        String body = "{\"model\":\"bench\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello from the stream benchmark\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(sim + "/api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long last = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains("\"done\":true")) {
                    break;
                }
                long now = System.nanoTime();
                t.token(last == 0 ? now - t0 : -1, last == 0 ? -1 : now - last);
                last = now;
            }
        }
        t.answer(System.nanoTime() - t0);
    }

    static final class Socket implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        static Socket open(HttpClient http, String url) throws Exception {
            Socket s = new Socket();
            s.ws = http.newWebSocketBuilder().buildAsync(URI.create(url), s).get(10, TimeUnit.SECONDS);
            return s;
        }

        void streamedTurn(String id, Timings t) throws Exception {
            long t0 = System.nanoTime();
            ws.sendText("{\"type\":\"message\",\"id\":\"" + id + "\",\"data\":\"hello from the stream benchmark\",\"stream\":true}", true);
            long last = 0;
            while (true) {
                String f = frames.poll(30, TimeUnit.SECONDS);
                if (f == null) {
                    throw new IllegalStateException("no frame for 30 s");
                }
                long now = System.nanoTime();
                if (f.startsWith("{\"type\":\"token\"")) {
                    t.token(last == 0 ? now - t0 : -1, last == 0 ? -1 : now - last);
                    last = now;
                } else if (f.startsWith("{\"type\":\"reply\"")) {
                    t.answer(now - t0);
                    return;
                } else if (f.startsWith("{\"type\":\"error\"")) {
                    t.error();
                    return;
                }
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            frames.add("{\"type\":\"error\",\"code\":\"closed\"}");
            return CompletableFuture.completedFuture(null);
        }
    }

    static final class Timings {
        final List<Long> ttft = Collections.synchronizedList(new ArrayList<>());
        final List<Long> gaps = Collections.synchronizedList(new ArrayList<>());
        final List<Long> answers = Collections.synchronizedList(new ArrayList<>());
        int errors;

        void token(long firstNanos, long gapNanos) {
            if (firstNanos >= 0) {
                ttft.add(firstNanos);
            }
            if (gapNanos >= 0) {
                gaps.add(gapNanos);
            }
        }

        void answer(long nanos) {
            answers.add(nanos);
        }

        synchronized void error() {
            errors++;
        }

        String summary() {
            long[] f = sorted(ttft), g = sorted(gaps), a = sorted(answers);
            return "answers=" + a.length + " errors=" + errors + " ttft_p50_ms=" + Load.ms(Load.pct(f, 50)) + " ttft_p99_ms=" + Load.ms(Load.pct(f, 99))
                    + " gap_p50_ms=" + Load.ms(Load.pct(g, 50)) + " gap_p99_ms=" + Load.ms(Load.pct(g, 99))
                    + " answer_p50_ms=" + Load.ms(Load.pct(a, 50))
                    + " tokens_per_answer=" + (a.length == 0 ? 0 : (g.length + f.length) / a.length);
        }

        private static long[] sorted(List<Long> l) {
            synchronized (l) {
                return l.stream().mapToLong(Long::longValue).sorted().toArray();
            }
        }
    }
}
