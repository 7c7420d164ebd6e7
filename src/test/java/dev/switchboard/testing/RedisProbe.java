package dev.switchboard.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP client straight on a socket, so tests look at Redis independently of the
 * client under test: read keys, and watch every command with MONITOR.
 */
public final class RedisProbe implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RedisProbe(String host, int port) {
        try {
            socket = new Socket(host, port);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Redis a {@code bin/up} stack under {@code var} started itself: it wants the password in var/redis.pass. */
    public static RedisProbe ofStack(java.nio.file.Path var, int port) {
        RedisProbe probe = new RedisProbe("127.0.0.1", port);
        java.nio.file.Path pass = var.resolve("redis.pass");
        if (java.nio.file.Files.exists(pass)) {
            try {
                Object ok = probe.call("AUTH", java.nio.file.Files.readString(pass).trim());
                if (!"OK".equals(ok)) {
                    throw new IllegalStateException("AUTH with " + pass + " failed: " + ok);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return probe;
    }

    public static RedisProbe local() {
        return new RedisProbe("127.0.0.1", Integer.parseInt(System.getenv().getOrDefault("SB_TEST_REDIS_PORT", "16379")));
    }

    /** Sends a command and reads one reply: String, Long, List or null. */
    public Object call(String... args) {
        write(args);
        return read();
    }

    public void write(String... args) {
        try {
            StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Object read() {
        try {
            String line = line();
            return switch (line.charAt(0)) {
                case '+' -> line.substring(1);
                case '-' -> throw new IllegalStateException(line.substring(1));
                case ':' -> Long.parseLong(line.substring(1));
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        yield null;
                    }
                    byte[] b = in.readNBytes(n + 2);
                    yield new String(b, 0, n, StandardCharsets.UTF_8);
                }
                case '*' -> {
                    int n = Integer.parseInt(line.substring(1));
                    List<Object> list = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        list.add(read());
                    }
                    yield list;
                }
                default -> throw new IllegalStateException("bad RESP: " + line);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                break;
            }
            sb.append((char) c);
        }
        if (c == -1 && sb.isEmpty()) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    public void timeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test probe
        }
    }

    /** Commands clients sent while {@code action} ran, that touch {@code clientId}'s keys (Lua's inner calls excluded). */
    public static java.util.List<String> monitor(Runnable action, String clientId) throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        try (RedisProbe probe = RedisProbe.local()) {
            if (!"OK".equals(probe.call("MONITOR"))) {
                throw new IllegalStateException("MONITOR refused");
            }
            action.run();
            String marker = "marker-" + java.util.UUID.randomUUID();
            try (RedisProbe other = RedisProbe.local()) {
                other.call("ECHO", marker);
            }
            probe.timeout(5000);
            while (true) {
                String line = (String) probe.read();
                if (line.contains(marker)) {
                    return seen;
                }
                if (!line.contains(" lua]") && line.contains(clientId)) {
                    seen.add(line.substring(line.indexOf(']') + 2));
                }
            }
        }
    }
}
