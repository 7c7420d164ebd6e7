package dev.switchboard.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled nginx config, checked by nginx itself and for the properties WebSockets need. */
class NginxConfigTest {
    private static final Path CONF = Path.of("nginx/nginx.conf").toAbsolutePath();

    @Test
    void nginx_accepts_the_bundled_config_under_a_prefix(@TempDir Path prefix) throws Exception {
        String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        Process p = new ProcessBuilder(nginx, "-t", "-p", prefix + "/", "-c", CONF.toString(), "-e", "stderr")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("test is successful"), out);
    }

    @Test
    void websockets_are_upgraded_balanced_and_kept_open_longer_than_the_idle_timeout() throws Exception {
        String conf = Files.readString(CONF);
        String upstream = Files.readString(Path.of("nginx/upstream.conf"));
        assertTrue(upstream.contains("least_conn;"));
        for (int port = 8081; port <= 8085; port++) {
            assertTrue(upstream.contains("server 127.0.0.1:" + port + " max_fails=3 fail_timeout=5s;"), "replica " + port);
        }
        assertTrue(conf.contains("map $http_upgrade $connection_upgrade"));
        assertTrue(conf.contains("limit_req zone=sb_handshakes") && conf.contains("limit_conn sb_conns"), "the outer limits");
        assertTrue(conf.contains("proxy_set_header Upgrade $ws_upgrade;"));
        assertTrue(conf.contains("listen 8080;"), "bin/up rewrites exactly this line for SB_PORT");
        Matcher read = Pattern.compile("proxy_read_timeout (\\d+)s;").matcher(conf);
        assertTrue(read.find());
        assertTrue(Integer.parseInt(read.group(1)) > 15 * 60, "longer than the 15 min idle-timeout");
        Matcher conns = Pattern.compile("worker_connections (\\d+);").matcher(conf);
        assertTrue(conns.find());
        assertTrue(Integer.parseInt(conns.group(1)) >= 20_000, "10,000 sockets cost 20,000 connections");
        for (String temp : new String[]{"client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"}) {
            assertTrue(Pattern.compile(temp + " [a-z_]+;").matcher(conf).find(), temp + " is relative to the prefix");
        }
    }
}
