import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of the reliability benchmark: C clients each send M messages with ids, one
 * after another, while bin/bench kills and restarts replicas. A client does what a real one
 * should: when its socket dies or it gets {@code busy}, it reconnects through nginx and resends
 * the same id until it gets the reply. At the end every session's stored history is read back
 * and checked turn by turn.
 *
 * bin/bench compiles it with Load (whose helpers it uses) and runs it with the replica's own Jackson:
 *   java -cp 'target/bench:target/quarkus-app/lib/main/*' Chaos --clients 10 --messages 20
 *
 * Prints one key=value line: turns answered, lost (no reply, or no stored answer), duplicated
 * (an id stored twice), orphans (a stored user message with no answer), mismatched (the reply a
 * client got differs from the stored one), resends, replayed replies, reconnects, error frames by
 * code, and the turn latency including recovery.
 */
public class Chaos {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HISTORY_LIMIT = 500; // sb.edge.max-history-limit

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Load.options(args);
        String url = o.getOrDefault("url", "ws://127.0.0.1:8080/chat");
        int clients = Integer.parseInt(o.getOrDefault("clients", "10"));
        int messages = Integer.parseInt(o.getOrDefault("messages", "20"));
        long maxSeconds = Long.parseLong(o.getOrDefault("max-seconds", "300"));
        // With --stop-file, clients start no new turn once that file exists (bin/bench touches it
        // when its rolling restart is over), so the load covers the whole restart.
        java.nio.file.Path stopFile = o.containsKey("stop-file") ? java.nio.file.Path.of(o.get("stop-file")) : null;
        long thinkMillis = Long.parseLong(o.getOrDefault("think-ms", "0")); // a pause between turns: steady load, not flat out
        String run = o.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Counts counts = new Counts();
        List<Client> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Client client = new Client(http, url, "chaos-" + run + "-" + c, messages, counts, deadline, stopFile, thinkMillis);
            all.add(client);
            threads.add(Thread.ofVirtual().start(client::chat));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        // Read every session back through nginx (any replica) and check it turn by turn.
        long checked = 0, lost = 0, duplicated = 0, orphans = 0, mismatched = 0;
        for (Client client : all) {
            Verdict v = client.verify();
            checked += v.checked;
            lost += v.lost;
            duplicated += v.duplicated;
            orphans += v.orphans;
            mismatched += v.mismatched;
        }
        long[] lat = counts.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clients", clients);
        r.put("turns_sent", all.stream().mapToLong(c -> c.sent).sum());
        r.put("answered", counts.answered.get());
        r.put("checked", checked);
        r.put("lost", lost);
        r.put("duplicated", duplicated);
        r.put("orphans", orphans);
        r.put("mismatched", mismatched);
        r.put("resends", counts.resends.get());
        r.put("replayed", counts.replayed.get());
        r.put("reconnects", counts.reconnects.get());
        r.put("error_frames", new TreeMap<>(counts.errors).toString().replace(" ", ""));
        r.put("p50_ms", Load.ms(Load.pct(lat, 50)));
        r.put("p99_ms", Load.ms(Load.pct(lat, 99)));
        r.put("max_ms", Load.ms(lat.length == 0 ? 0 : lat[lat.length - 1]));
        r.put("seconds", String.format("%.1f", seconds));
        StringBuilder line = new StringBuilder();
        r.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
        System.out.println(line.toString().trim());
        System.exit(0);
    }

    static final class Counts {
        final AtomicLong answered = new AtomicLong();
        final AtomicLong resends = new AtomicLong();
        final AtomicLong replayed = new AtomicLong();
        final AtomicLong reconnects = new AtomicLong();
        final Map<String, Long> errors = new ConcurrentHashMap<>();
        final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());

        void error(String code) {
            errors.merge(code, 1L, Long::sum);
        }
    }

    record Verdict(long checked, long lost, long duplicated, long orphans, long mismatched) {
    }

    static final class Client {
        private final HttpClient http;
        private final String url;
        private final String clientId;
        private final int messages;
        private final Counts counts;
        private final long deadline;
        private final java.nio.file.Path stopFile;
        private final long thinkMillis;
        private int sent;
        /** What the client was answered, by message id: checked against the store at the end. */
        private final Map<String, String> replies = new HashMap<>();
        private Socket socket;

        Client(HttpClient http, String url, String clientId, int messages, Counts counts, long deadline,
               java.nio.file.Path stopFile, long thinkMillis) {
            this.stopFile = stopFile;
            this.thinkMillis = thinkMillis;
            this.http = http;
            this.url = url;
            this.clientId = clientId;
            this.messages = messages;
            this.counts = counts;
            this.deadline = deadline;
        }

        void chat() {
            for (int i = 0; i < messages && System.nanoTime() < deadline; i++) {
                if (stopFile != null && java.nio.file.Files.exists(stopFile)) {
                    break;
                }
                if (i > 0 && thinkMillis > 0) {
                    pause(thinkMillis);
                }
                sent++;
                String id = "t-" + i;
                String frame = "{\"type\":\"message\",\"id\":\"" + id + "\",\"data\":\"turn " + i + " of " + clientId + "\"}";
                long start = System.nanoTime();
                boolean first = true;
                while (System.nanoTime() < deadline) {
                    if (!first) {
                        counts.resends.incrementAndGet();
                    }
                    first = false;
                    JsonNode end = attempt(frame, id);
                    if (end == null) {
                        pause(200); // socket gone: reconnect and resend the same id
                        continue;
                    }
                    if ("reply".equals(end.path("type").asText())) {
                        counts.answered.incrementAndGet();
                        counts.latencies.add(System.nanoTime() - start);
                        if (end.path("replayed").asBoolean()) {
                            counts.replayed.incrementAndGet();
                        }
                        replies.put(id, end.path("data").asText());
                        break;
                    }
                    counts.error(end.path("code").asText("?"));
                    pause(200); // busy, store_unavailable, a backend error: the same id again
                }
            }
            close();
        }

        /** Sends the frame and returns the frame that ends its turn, or null when the socket died. */
        private JsonNode attempt(String frame, String id) {
            try {
                if (socket == null) {
                    socket = Socket.open(http, url + "?clientId=" + clientId);
                }
                socket.ws.sendText(frame, true).get(5, TimeUnit.SECONDS);
                while (true) {
                    JsonNode f = socket.next(60);
                    if (f == null) {
                        if (!socket.closed) {
                            System.err.printf("%s %s %s: no frame for 60 s, reconnecting%n", java.time.LocalTime.now(), clientId, id);
                        }
                        throw new IllegalStateException("socket closed or silent");
                    }
                    String type = f.path("type").asText();
                    if (id.equals(f.path("id").asText()) && ("reply".equals(type) || "error".equals(type))) {
                        return f;
                    }
                }
            } catch (Exception e) {
                drop();
                return null;
            }
        }

        private void drop() {
            if (socket != null) {
                socket.ws.abort();
                socket = null;
            }
            counts.reconnects.incrementAndGet();
        }

        private void close() {
            if (socket != null) {
                socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
                socket = null;
            }
        }

        Verdict verify() throws Exception {
            JsonNode history = null;
            for (int attempt = 0; attempt < 5 && history == null; attempt++) {
                try {
                    Socket s = Socket.open(http, url + "?clientId=" + clientId);
                    s.ws.sendText("{\"type\":\"history\",\"limit\":" + HISTORY_LIMIT + "}", true).get(5, TimeUnit.SECONDS);
                    JsonNode f;
                    while ((f = s.next(30)) != null && !"history".equals(f.path("type").asText())) {
                        // skip anything else
                    }
                    history = f;
                    s.ws.abort();
                } catch (Exception e) {
                    pause(500);
                }
            }
            if (history == null) {
                throw new IllegalStateException("cannot read the history of " + clientId);
            }
            // A stored answer has an id of its own: it belongs to the user message before it.
            Map<String, Integer> users = new HashMap<>();
            Map<String, List<String>> answers = new HashMap<>();
            String turn = null;
            boolean answered = true;
            long orphans = 0;
            for (JsonNode m : history.path("messages")) {
                switch (m.path("role").asText()) {
                    case "user" -> {
                        if (!answered) {
                            orphans++;
                        }
                        turn = m.path("id").asText();
                        answered = false;
                        users.merge(turn, 1, Integer::sum);
                    }
                    case "assistant" -> {
                        answered = true;
                        answers.computeIfAbsent(turn, k -> new ArrayList<>()).add(m.path("content").asText());
                    }
                    default -> {
                    }
                }
            }
            if (!answered) {
                orphans++;
            }
            // A long session holds more than one history frame shows (500 messages): then only the
            // turns from the oldest one shown on are checked.
            int first = 0;
            if (history.path("messages").size() >= HISTORY_LIMIT) {
                first = users.keySet().stream().mapToInt(k -> Integer.parseInt(k.substring(2))).min().orElse(sent);
            }
            long lost = 0, duplicated = 0, mismatched = 0;
            for (int i = first; i < sent; i++) {
                String id = "t-" + i;
                String got = replies.get(id);
                List<String> stored = answers.getOrDefault(id, List.of());
                if (got == null || stored.isEmpty() || users.getOrDefault(id, 0) == 0) {
                    lost++;
                } else if (!stored.get(stored.size() - 1).equals(got)) {
                    mismatched++;
                }
                if (users.getOrDefault(id, 0) > 1 || stored.size() > 1) {
                    duplicated++;
                }
            }
            return new Verdict(sent - first, lost, duplicated, orphans, mismatched);
        }
    }

    /** A WebSocket whose frames are read in order from a queue. */
    static final class Socket implements WebSocket.Listener {
        private static final JsonNode CLOSED = JSON.createObjectNode().put("type", "closed");
        private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;
        private volatile boolean closed;

        static Socket open(HttpClient http, String url) throws Exception {
            Socket s = new Socket();
            s.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(url), s).get(10, TimeUnit.SECONDS);
            return s;
        }

        /** The next frame, or null when the socket closed or nothing came for that long. */
        JsonNode next(int seconds) throws InterruptedException {
            JsonNode f = frames.poll(seconds, TimeUnit.SECONDS);
            closed |= f == CLOSED;
            return f == CLOSED ? null : f;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    frames.add(((ObjectNode) JSON.createObjectNode().put("type", "error")).put("code", "unparsable"));
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            frames.add(CLOSED);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            frames.add(CLOSED);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
