package dev.switchboard.edge;

import dev.switchboard.config.SwitchboardConfig;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Token buckets per session and per client IP, and a count of sockets per clientId, in this
 * replica. They protect a replica and its backends from one noisy client; they are not global
 * (nginx's limit_req / limit_conn in the bundled config are the outer layer). Buckets of quiet
 * clients are dropped by the idle sweep.
 */
@Singleton
public class RateLimits {
    private final SwitchboardConfig.Limits config;
    private final Map<String, Bucket> sessions = new ConcurrentHashMap<>();
    private final Map<String, Bucket> ips = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sockets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> addressSockets = new ConcurrentHashMap<>();
    private final Map<String, Bucket> handshakes = new ConcurrentHashMap<>();
    private final ClientAddress addresses;

    public RateLimits(SwitchboardConfig config) {
        this.config = config.limits();
        this.addresses = new ClientAddress(config.edge().trustedProxies());
    }

    /** The address {@code request} is limited under (see {@link ClientAddress}). */
    String address(io.vertx.core.http.HttpServerRequest request) {
        return addresses.of(request);
    }

    /** @return false when {@code address} opens connections faster than {@code handshake-rate} */
    boolean handshake(String address) {
        long now = System.nanoTime();
        return handshakes.computeIfAbsent(address, k -> new Bucket(config.handshakeRate(), config.handshakeBurst(), now)).take(now);
    }

    /** A classic token bucket: {@code rate} tokens a second, at most {@code burst} saved. */
    static final class Bucket {
        private final double rate;
        private final int burst;
        private double tokens;
        private long last;

        Bucket(double rate, int burst, long now) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
            this.last = now;
        }

        synchronized boolean take(long nowNanos) {
            tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * rate);
            last = nowNanos;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean full(long nowNanos) {
            return tokens + (nowNanos - last) / 1e9 * rate >= burst;
        }
    }

    /**
     * @param ip the client's address, or null for a trusted front end (limited per session only)
     * @return null when the frame may go on, else the reason for a {@code rate_limited} error
     */
    public String admit(String clientId, String ip) {
        long now = System.nanoTime();
        if (ip != null && !ips.computeIfAbsent(ip, k -> new Bucket(config.ipRate(), config.ipBurst(), now)).take(now)) {
            return "too many messages from your address; slow down";
        }
        if (!sessions.computeIfAbsent(clientId, k -> new Bucket(config.sessionRate(), config.sessionBurst(), now)).take(now)) {
            return "too many messages in this session (" + config.sessionRate() + "/s); slow down";
        }
        return null;
    }

    /** @return false when the clientId has too many sockets open here already */
    boolean socketOpened(String clientId) {
        int n = sockets.computeIfAbsent(clientId, k -> new AtomicInteger()).incrementAndGet();
        if (n > config.socketsPerClient()) {
            socketClosed(clientId);
            return false;
        }
        return true;
    }

    void socketClosed(String clientId) {
        sockets.computeIfPresent(clientId, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** @return false when {@code address} has too many sockets open here already */
    boolean addressSocketOpened(String address) {
        int n = addressSockets.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
        if (n > config.socketsPerAddress()) {
            addressSocketClosed(address);
            return false;
        }
        return true;
    }

    void addressSocketClosed(String address) {
        addressSockets.computeIfPresent(address, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Forgets the buckets that are full again: those clients have been quiet long enough. */
    void sweep() {
        long now = System.nanoTime();
        sessions.values().removeIf(b -> b.full(now));
        ips.values().removeIf(b -> b.full(now));
        handshakes.values().removeIf(b -> b.full(now));
    }
}
