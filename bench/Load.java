import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Switchboard's load generator: C WebSocket clients, each sending M messages one after another
 * (a user waits for the answer before typing the next), through nginx. Runs with the JDK's
 * source launcher, no build:  java bench/Load.java --clients 50 --messages 200
 *
 * Prints one line of key=value figures (turns/s, latency percentiles, errors by code, the
 * generator's own CPU) so bin/bench can put it in a table. The run is bounded by --max-seconds.
 */
public class Load {
    /** See the "traced" option. */
    static volatile double TRACED;

    private static final Pattern TYPE = Pattern.compile("\"type\":\"([a-z_]+)\"");
    private static final Pattern CODE = Pattern.compile("\"code\":\"([a-z_]+)\"");

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String url = o.getOrDefault("url", "ws://127.0.0.1:8080/chat");
        int clients = Integer.parseInt(o.getOrDefault("clients", "10"));
        int messages = Integer.parseInt(o.getOrDefault("messages", "50"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        long maxSeconds = Long.parseLong(o.getOrDefault("max-seconds", "120"));
        boolean stream = Boolean.parseBoolean(o.getOrDefault("stream", "false"));
        String text = o.getOrDefault("text", "hello from the benchmark");
        String run = o.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        // message ids are <ids>-N: a second run on the same sessions needs other ids, or it is answered from Redis
        String ids = o.getOrDefault("ids", "m");
        // the share of turns that carry a sampled W3C traceparent (bin/bench tracing: a parent-based
        // sampler then records exactly those turns, so sampled and unsampled run on one warm stack)
        TRACED = Double.parseDouble(o.getOrDefault("traced", "0"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long[] latencies = new long[clients * messages];
        long[] firstTokens = new long[clients * messages];
        AtomicLong resumed = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        CountDownLatch connected = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicLong startNanos = new AtomicLong();

        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofVirtual().start(() -> {
                Conversation conv = null;
                try {
                    conv = Conversation.open(http, url + "?clientId=bench-" + run + "-" + client);
                    for (int i = 0; i < warmup; i++) {
                        conv.turn(ids + "w-" + i, text, stream);
                    }
                } catch (Exception e) {
                    errors.computeIfAbsent("connect", k -> new AtomicLong()).incrementAndGet();
                } finally {
                    connected.countDown();
                }
                try {
                    go.await();
                    if (conv == null) {
                        return;
                    }
                    for (int i = 0; i < messages && System.nanoTime() < deadline; i++) {
                        long t0 = System.nanoTime();
                        String reply = conv.turn(ids + "-" + i, text, stream);
                        long t = System.nanoTime() - t0;
                        String type = first(TYPE, reply);
                        if ("reply".equals(type)) {
                            latencies[client * messages + i] = t;
                            if (conv.firstToken > 0) {
                                firstTokens[client * messages + i] = conv.firstToken - t0;
                            }
                            if (reply.contains("\"resumed\":")) {
                                resumed.incrementAndGet();
                            }
                            done.incrementAndGet();
                        } else {
                            errors.computeIfAbsent(type == null ? "timeout" : first(CODE, reply), k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    }
                    conv.close();
                } catch (Exception e) {
                    errors.computeIfAbsent("socket", k -> new AtomicLong()).incrementAndGet();
                }
            }));
        }
        connected.await();
        long cpu0 = cpuNanos();
        startNanos.set(System.nanoTime());
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - startNanos.get();
        long cpu = cpuNanos() - cpu0;

        long[] ok = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("clients", clients);
        r.put("turns", ok.length);
        r.put("seconds", String.format("%.2f", elapsed / 1e9));
        r.put("turns_per_s", String.format("%.0f", ok.length / (elapsed / 1e9)));
        r.put("p50_ms", ms(pct(ok, 50)));
        r.put("p90_ms", ms(pct(ok, 90)));
        r.put("p99_ms", ms(pct(ok, 99)));
        r.put("max_ms", ms(ok.length == 0 ? 0 : ok[ok.length - 1]));
        if (stream) {
            long[] ttft = Arrays.stream(firstTokens).filter(l -> l > 0).sorted().toArray();
            r.put("ttft_p50_ms", ms(pct(ttft, 50)));
            r.put("ttft_p99_ms", ms(pct(ttft, 99)));
            r.put("resumed", resumed.get());
        }
        r.put("errors", errors.values().stream().mapToLong(AtomicLong::get).sum());
        r.put("error_codes", new TreeMap<>(errors).toString().replace(" ", ""));
        r.put("loadgen_cpu_ms_per_turn", String.format("%.3f", ok.length == 0 ? 0 : cpu / 1e6 / ok.length));
        StringBuilder line = new StringBuilder();
        r.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
        System.out.println(line.toString().trim());
        System.exit(0);
    }

    /** One socket, one turn at a time: the way a person or a bot chats. */
    static final class Conversation implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        /** When the current turn's first token frame arrived (System.nanoTime), 0 before it. */
        volatile long firstToken;

        static Conversation open(HttpClient http, String url) throws Exception {
            Conversation c = new Conversation();
            c.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(url), c).get(15, TimeUnit.SECONDS);
            return c;
        }

        /** Sends a message and returns the frame that ends its turn (reply or error), or null on timeout. */
        String turn(String id, String text, boolean stream) throws Exception {
            java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
            String parent = TRACED > 0 && r.nextDouble() < TRACED
                    ? ",\"traceparent\":\"00-" + String.format("%016x%016x", r.nextLong() | 1, r.nextLong()) + "-"
                    + String.format("%016x", r.nextLong() | 1) + "-01\"" : "";
            socket.sendText("{\"type\":\"message\",\"id\":\"" + id + "\",\"data\":\"" + text + "\",\"stream\":" + stream + parent + "}", true)
                    .get(10, TimeUnit.SECONDS);
            firstToken = 0;
            while (true) {
                String f = frames.poll(60, TimeUnit.SECONDS);
                if (f == null) {
                    return "{}";
                }
                String type = first(TYPE, f);
                if (firstToken == 0 && "token".equals(type)) {
                    firstToken = System.nanoTime();
                }
                if ("reply".equals(type) || "error".equals(type) || "cancelled".equals(type)) {
                    return f;
                }
            }
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            frames.add("{\"type\":\"error\",\"code\":\"closed_" + status + "\"}");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            frames.add("{\"type\":\"error\",\"code\":\"socket_error\"}");
        }
    }

    static String first(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                o.put(args[i].substring(2), args[++i]);
            }
        }
        return o;
    }
}
