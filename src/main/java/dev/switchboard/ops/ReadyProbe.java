package dev.switchboard.ops;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A container's health check that needs nothing but the JVM the image already has: no curl, no
 * shell with {@code /dev/tcp} (dash, Debian's and Ubuntu's {@code sh}, has none).
 * {@code java -cp /app/app/* dev.switchboard.ops.ReadyProbe [port] [path]} exits 0 when
 * {@code GET path} on 127.0.0.1:port answers 200, else 1. Plain sockets and no dependencies, so the
 * JVM starts and ends in a fraction of a second.
 */
public final class ReadyProbe {
    private ReadyProbe() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String path = args.length > 1 ? args[1] : "/q/health/ready";
        System.exit(ok(port, path) ? 0 : 1);
    }

    static boolean ok(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.") && status.endsWith(" 200");
        } catch (Exception e) {
            return false;
        }
    }
}
