package dev.switchboard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.edge.SessionTokens;
import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.StackScripts;
import dev.switchboard.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacker's battery (docs/SECURITY.md): a {@code bin/up} stack with its defaults (two
 * replicas, its own Redis with a password, a generated gateway key, a Telegram webhook whose Bot
 * API never answers) attacked from outside, through nginx and at a replica's port. Every attack is
 * counted and printed; every door must hold. The handshake flood runs last: it spends this
 * address's allowance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    static final int NGINX = 18480;
    static final int REPLICA = 18481;
    static final int REDIS = 16479;
    static final Path VAR = Path.of("target/security-var").toAbsolutePath();
    static final String KEY = "security-it-signing-key-" + UUID.randomUUID();
    static final String BOT_TOKEN = "987654:AAH-battery_" + UUID.randomUUID().toString().replace("-", "");
    static final String HOOK_SECRET = "battery-hook-secret-0123456789";
    static final SessionTokens TOKENS = new SessionTokens(List.of(KEY));
    static final Map<String, int[]> TALLY = Collections.synchronizedMap(new LinkedHashMap<>()); // attack -> {tries, held}
    static ServerSocket silentBotApi;
    static final List<Socket> silentClients = Collections.synchronizedList(new ArrayList<>());
    static StackScripts stack;

    @BeforeAll
    static void up() throws Exception {
        StackScripts.deleteTree(VAR);
        // a Bot API that takes every request and never answers: the webhook's sendMessage times out
        silentBotApi = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silentBotApi.isClosed()) {
                try {
                    silentClients.add(silentBotApi.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-bot-api");
        acceptor.setDaemon(true);
        acceptor.start();
        stack = new StackScripts(VAR, NGINX, REPLICA, 2, "redis://127.0.0.1:" + REDIS, Map.of(
                "SWITCHBOARD_SWARM_FILE", Path.of("src/test/resources/swarm-security.yaml").toAbsolutePath().toString(),
                "SB_AUTH_KEYS", KEY,
                "TELEGRAM_BOT_TOKEN", BOT_TOKEN,
                "TELEGRAM_WEBHOOK_SECRET", HOOK_SECRET,
                "TELEGRAM_API_URL", "http://127.0.0.1:" + silentBotApi.getLocalPort(),
                "TELEGRAM_REQUEST_TIMEOUT", "1s"));
        stack.run("bin/down");
        Process up = stack.run("bin/up", "-d");
        assertEquals(0, up.exitValue(), "bin/up -d failed: " + Files.readString(VAR.resolve("up.log")));
    }

    @AfterAll
    static void down() throws Exception {
        try {
            stack.run("bin/down");
        } finally {
            silentBotApi.close();
            synchronized (silentClients) {
                for (Socket s : silentClients) {
                    s.close();
                }
            }
            System.out.println("[battery] attack | tries | held");
            TALLY.forEach((attack, n) -> System.out.printf("[battery] %s | %d | %d%n", attack, n[0], n[1]));
        }
    }

    private static void count(String attack, boolean held) {
        TALLY.compute(attack, (k, n) -> n == null ? new int[]{1, held ? 1 : 0} : new int[]{n[0] + 1, n[1] + (held ? 1 : 0)});
    }

    @Test
    @Order(1)
    void no_path_spelling_opens_a_tg_session_without_a_valid_token_through_nginx_or_at_a_replica() {
        String other = TOKENS.mint("tg-2002", Instant.now().plusSeconds(300));
        String expired = TOKENS.mint("tg-1001", Instant.now().minusSeconds(5));
        String forged = new SessionTokens(List.of("not-the-key")).mint("tg-1001", Instant.now().plusSeconds(300));
        Map<String, String> tokenCases = new LinkedHashMap<>();
        tokenCases.put("no token", "");
        tokenCases.put("garbage token", "&token=garbage");
        tokenCases.put("expired token", "&token=" + expired);
        tokenCases.put("another chat's token", "&token=" + other);
        tokenCases.put("forged token", "&token=" + forged);
        List<String> spellings = List.of("/chat", "/chat/", "//chat", "/%63hat", "/chat/.", "/chat/./", "/chat;x=1",
                "/CHAT", "/chat%2F", "/x/../chat", "/chat?", "/chat#");
        List<String> opened = new ArrayList<>();
        for (int port : new int[]{NGINX, REPLICA}) {
            for (String path : spellings) {
                for (Map.Entry<String, String> t : tokenCases.entrySet()) {
                    String target = path.endsWith("?") || path.endsWith("#") ? path.substring(0, path.length() - 1) : path;
                    Handshake.Answer a = Handshake.upgrade("127.0.0.1", port, target + "?clientId=tg-1001" + t.getValue(),
                            "X-Real-IP: 198.51.100." + (opened.size() + 1));
                    count("path spelling x token case (port " + (port == NGINX ? "nginx" : "replica") + ")", !a.opened());
                    if (a.opened()) {
                        opened.add(port + " " + target + " " + t.getKey());
                    }
                }
            }
        }
        assertEquals(List.of(), opened, "sockets that opened a tg- session without its token");
        // the control: the same door opens for the chat's own token, so the refusals above can fail
        String own = TOKENS.mint("tg-1001", Instant.now().plusSeconds(300));
        assertTrue(Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=tg-1001&token=" + own).opened());
        assertTrue(Handshake.upgrade("127.0.0.1", REPLICA, "/chat/?clientId=tg-1001&token=" + own).opened(),
                "a spelling that routes to the endpoint is checked, not blocked by its spelling");
    }

    @Test
    @Order(2)
    void operational_and_gateway_doors_are_shut_on_the_public_port() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/q/health/ready", "/q/metrics", "/admin/backends", "//q/metrics", "/%71/metrics",
                "/q/../q/metrics", "/admin/../admin/backends", "/Q/metrics")) {
            int status = rawGet(NGINX, path, "").status();
            count("operational path on the public port", status == 404);
            assertEquals(404, status, path);
        }
        String gatewayKey = Files.readString(VAR.resolve("gateway.key")).trim();
        assertTrue(gatewayKey.length() >= 32, "bin/up made a gateway key");
        for (String auth : List.of("", "Authorization: Bearer wrong", "Authorization: Basic " + gatewayKey)) {
            int status = rawGet(NGINX, "/v1/models", auth).status();
            count("/v1 without a valid key", status == 401);
            assertEquals(401, status, "'" + auth + "'");
        }
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NGINX + "/v1/models"))
                .header("Authorization", "Bearer " + gatewayKey).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), "the stack's own key opens it");
        // at a replica's port the admin door is checked in its handler: no admin key configured, no entry
        int admin = rawGet(REPLICA, "/admin/backends", "").status();
        count("/admin at a replica without a key", admin == 401 || admin == 403);
        assertTrue(admin == 401 || admin == 403, "admin at the replica: " + admin);
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NGINX + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + gatewayKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"max_tokens\":1000000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        count("/v1 asking for unbounded output", big.statusCode() == 400);
        assertEquals(400, big.statusCode(), big.body());
        assertTrue(big.body().contains("max_tokens"), big.body());
    }

    @Test
    @Order(3)
    void replicas_listen_on_loopback_only_so_nothing_reaches_them_around_nginx() throws Exception {
        // read from the kernel's socket table, not by connecting to another address of this machine
        for (int port : new int[]{REPLICA, REPLICA + 1}) {
            List<String> binds = listening(port);
            assertFalse(binds.isEmpty(), "replica " + port + " listens");
            boolean loopbackOnly = binds.stream().allMatch(a -> a.equals("0100007F") || a.equals("0000000000000000FFFF00000100007F")
                    || a.equals("00000000000000000000000001000000"));
            count("replica listening beyond loopback", loopbackOnly);
            assertTrue(loopbackOnly, "replica " + port + " listens on " + binds + " (hex, /proc/net/tcp*)");
        }
    }

    /** Local addresses (hex, as /proc/net/tcp and tcp6 write them) of the sockets listening on {@code port}. */
    private static List<String> listening(int port) throws IOException {
        List<String> out = new ArrayList<>();
        String hexPort = String.format("%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[3].equals("0A") && f[1].endsWith(":" + hexPort)) {
                    out.add(f[1].substring(0, f[1].indexOf(':')));
                }
            }
        }
        return out;
    }

    @Test
    @Order(4)
    void oversized_frames_are_refused_and_a_history_stays_under_its_byte_cap() {
        String id = "sec-" + UUID.randomUUID();
        try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, id)) {
            JsonNode tooLong = c.send("y".repeat(16_001)).next();
            count("message longer than the page allows", "too_large".equals(tooLong.path("code").asText()));
            assertEquals("too_large", tooLong.path("code").asText(), tooLong.toString());
            for (int i = 0; i < 8; i++) { // 8 x 16,000 characters into a history capped at 65,536 bytes
                assertEquals("reply", c.send("turn " + i + " " + "z".repeat(15_900)).nextOfType("reply").path("type").asText());
            }
            JsonNode history = c.send(Map.of("type", "history", "limit", 500)).nextOfType("history").path("messages");
            long bytes = 0;
            for (JsonNode m : history) {
                bytes += m.path("content").asText().getBytes(StandardCharsets.UTF_8).length;
            }
            count("history past its byte cap", bytes <= 65_536);
            assertTrue(bytes <= 65_536, "content bytes kept: " + bytes);
            assertTrue(history.get(history.size() - 2).path("content").asText().startsWith("turn 7 "), "the newest turn is kept");
            c.send("w".repeat(140_000)); // past the WebSocket layer's limit: closed (1009)
            int code = c.awaitClose(10);
            count("frame past the WebSocket limit", code == 1009);
            assertEquals(1009, code);
        }
    }

    @Test
    @Order(5)
    void a_header_slowloris_is_cut_off_and_does_not_slow_a_chat() throws Exception {
        int slow = 60;
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            Socket s = new Socket("127.0.0.1", NGINX);
            s.getOutputStream().write(("GET /chat?clientId=slow" + i + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII));
            sockets.add(s);
        }
        Thread dripper = new Thread(() -> { // one header byte per socket every 300 ms, never the blank line
            while (!Thread.currentThread().isInterrupted()) {
                for (Socket s : sockets) {
                    try {
                        s.getOutputStream().write('X');
                    } catch (IOException closed) {
                        // nginx has cut it off
                    }
                }
                try {
                    Thread.sleep(300); // the attacker's pace, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "slowloris");
        dripper.start();
        try (WsClient c = WsClient.connect("ws://127.0.0.1:" + NGINX, "sec-" + UUID.randomUUID())) {
            long worst = 0;
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                assertEquals("reply", c.send("still fast? " + i).nextOfType("reply").path("type").asText());
                worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
            }
            count("chat turn slower than 1 s under a slowloris", worst < 1000);
            assertTrue(worst < 1000, "slowest turn during the attack: " + worst + " ms");
            // nginx's client_header_timeout (10 s) closes every one of them
            Awaitility.await("nginx closes the slow sockets").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(250))
                    .until(() -> sockets.stream().allMatch(SecurityIT::closedByPeer));
            for (int i = 0; i < slow; i++) {
                count("slowloris socket still held after client_header_timeout", true);
            }
        } finally {
            dripper.interrupt();
            dripper.join(5000);
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    @Order(6)
    void the_bot_token_and_the_redis_password_are_in_no_log_after_a_bot_api_timeout() throws Exception {
        String update = "{\"update_id\":700001,\"message\":{\"message_id\":1,\"date\":1,\"chat\":{\"id\":4242,\"type\":\"private\"},"
                + "\"from\":{\"id\":4242,\"is_bot\":false,\"first_name\":\"A\"},\"text\":\"hello\"}}";
        HttpClient http = HttpClient.newHttpClient();
        // the replica answers the update through the Bot API, which never answers: it times out (1 s) and retries
        http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NGINX + "/telegram/webhook"))
                .header("X-Telegram-Bot-Api-Secret-Token", HOOK_SECRET).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(update)).build(), HttpResponse.BodyHandlers.discarding());
        Awaitility.await("a replica logs the Bot API timeout").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> logs().contains("sendMessage failed"));
        String redisPassword = Files.readString(VAR.resolve("redis.pass")).trim();
        String logs = logs();
        for (String secret : List.of(BOT_TOKEN, BOT_TOKEN.substring(BOT_TOKEN.indexOf(':') + 1), redisPassword, KEY,
                Files.readString(VAR.resolve("gateway.key")).trim())) {
            boolean absent = !logs.contains(secret);
            count("secret in a log line", absent);
            assertTrue(absent, "a secret (" + secret.substring(0, 6) + "…) is in the logs under " + VAR.resolve("log"));
        }
        // and bin/up's Redis wants that password: a client without it gets nothing
        try (Socket s = new Socket("127.0.0.1", REDIS)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET anything\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readNBytes(7), StandardCharsets.US_ASCII);
            count("Redis command without the password", answer.startsWith("-NOAUTH"));
            assertEquals("-NOAUTH", answer);
        }
    }

    @Test
    @Order(7)
    void a_handshake_flood_from_one_address_is_refused_while_a_token_holding_bridge_is_not() {
        int opened = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            Handshake.Answer a = Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=flood-" + i);
            if (a.opened()) {
                opened++;
            } else {
                assertEquals(429, a.status(), "a refused handshake says why: " + a);
                refused++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[battery] 2,000 handshakes from one address in %.1f s: %d opened, %d refused (429)%n", seconds, opened, refused);
        for (int i = 0; i < 2000; i++) {
            count("new session from a flooding address", i >= opened);
        }
        // nginx: burst 100 + 10/s; the replicas: 50 + 5/s each. Whatever got through is bounded by that.
        assertTrue(opened <= 100 + 10 * seconds + 5, opened + " sessions opened in " + seconds + " s");
        assertTrue(refused >= 1500, refused + " refused");
        int bridged = 0;
        for (int i = 0; i < 200; i++) {
            String id = "tg-" + (900000 + i);
            if (Handshake.upgrade("127.0.0.1", NGINX, "/chat?clientId=" + id + "&token="
                    + TOKENS.mint(id, Instant.now().plusSeconds(300))).opened()) {
                bridged++;
            }
        }
        count("token holder throttled (of 200 sessions)", bridged == 200);
        assertEquals(200, bridged, "a token-holding bridge opens all its chats from the same address");
    }

    private static boolean closedByPeer(Socket s) {
        try {
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() == -1) {
                    return true; // nginx may send a 408 first; EOF is the cut
                }
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(VAR.resolve("log"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        all.append(Files.readString(VAR.resolve("up.log"), StandardCharsets.ISO_8859_1));
        return all.toString();
    }

    private static Handshake.Answer rawGet(int port, String target, String header) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + (header.isEmpty() ? "" : header + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String line = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return new Handshake.Answer(Integer.parseInt(line.substring(9, 12)), Map.of());
        }
    }
}
