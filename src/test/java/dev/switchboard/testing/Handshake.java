package dev.switchboard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One WebSocket upgrade request written byte for byte, as an attacker would: the request target is
 * sent exactly as given ({@code //chat}, {@code /%63hat?…}, {@code /chat/.}), which neither the JDK's
 * HttpClient nor its WebSocket client allow. Answers the status line and headers; a 101 is closed at once.
 */
public final class Handshake {
    /** The server's answer: its status and headers (names lower-cased). */
    public record Answer(int status, Map<String, String> headers) {
        public String reason() {
            return headers.getOrDefault("x-switchboard-reason", "");
        }

        public boolean opened() {
            return status == 101;
        }
    }

    private Handshake() {
    }

    /** An upgrade of {@code target} (path and query, raw) at host:port, with extra header lines. */
    public static Answer upgrade(String host, int port, String target, String... extraHeaders) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            for (String h : extraHeaders) {
                req.append(h).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read(s.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("handshake to " + host + ":" + port + target + " failed: " + e.getMessage(), e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String[] lines = head.toString().split("\r\n");
        if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
            throw new IOException("no HTTP answer: '" + head + "'");
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Answer(status, headers);
    }
}
