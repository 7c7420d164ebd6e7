import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds N idle WebSockets through nginx: opens them (paced under nginx's handshake limit of
 * 500/s, a refused handshake tried again), writes --ready-file when all are open so bin/bench can
 * measure the replicas, holds them for --hold-seconds (past nginx's default 60 s read timeout),
 * then counts how many the server side closed or reset meanwhile and closes the rest.
 *
 *   java -cp target/bench Idle --url ws://127.0.0.1:28080/chat --sockets 10000 --hold-seconds 75
 */
public class Idle {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Load.options(args);
        String url = o.getOrDefault("url", "ws://127.0.0.1:8080/chat");
        int sockets = Integer.parseInt(o.getOrDefault("sockets", "1000"));
        long hold = Long.parseLong(o.getOrDefault("hold-seconds", "75"));
        int perSecond = Integer.parseInt(o.getOrDefault("open-rate", "400"));
        Path ready = Path.of(o.getOrDefault("ready-file", "idle.ready"));
        String run = o.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<WebSocket> open = new ArrayList<>();
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(100);
        List<CompletableFuture<Void>> opening = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < sockets; i++) {
            // pace: socket i is not started before i / rate seconds
            long due = t0 + (long) (i * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            inFlight.acquire();
            String target = url + "?clientId=idle-" + run + "-" + i;
            CompletableFuture<Void> f = new CompletableFuture<>();
            opening.add(f);
            Thread.ofVirtual().start(() -> {
                try {
                    for (int attempt = 0; attempt < 5; attempt++) {
                        try {
                            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(target), new Listener(dropped))
                                    .get(20, TimeUnit.SECONDS);
                            synchronized (open) {
                                open.add(ws);
                            }
                            return;
                        } catch (Exception e) {
                            retries.incrementAndGet();
                            Thread.sleep(500L << attempt);
                        }
                    }
                    failed.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.release();
                    f.complete(null);
                }
            });
        }
        opening.forEach(CompletableFuture::join);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        Files.writeString(ready, open.size() + "\n");
        TimeUnit.SECONDS.sleep(hold);
        int droppedDuringHold = dropped.get();
        for (WebSocket ws : open) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench over");
        }
        System.out.printf("sockets=%d opened=%d open_failures=%d handshake_retries=%d open_seconds=%.1f held_seconds=%d closed_or_reset_while_idle=%d%n",
                sockets, open.size(), failed.get(), retries.get(), openSeconds, hold, droppedDuringHold);
        System.exit(0);
    }

    /** Idle: reads nothing but notes a close or an error from the server side. */
    record Listener(AtomicInteger dropped) implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            dropped.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            dropped.incrementAndGet();
        }
    }
}
