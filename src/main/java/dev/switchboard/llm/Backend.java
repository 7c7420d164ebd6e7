package dev.switchboard.llm;

import dev.switchboard.config.BackendSpec;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend of the pool with its own counters. In-flight counts are per replica: five
 * replicas with {@code max-concurrent: 4} may send up to 20 requests to one backend.
 * Counters change under the pool's lock; reads from strategies and metrics need no lock.
 */
public final class Backend {
    /** How long a backend that answered 429/503 "busy" is treated as full. */
    static final long BUSY_BACKOFF_MILLIS = 500;
    /** Weight of the newest sample in the time-to-first-token average. */
    private static final double EWMA_ALPHA = 0.2;

    private final BackendSpec spec;
    private final BackendClient client;
    private final BackendHealth health;
    private final AtomicInteger inflight = new AtomicInteger();
    /** Half-life of an unrefreshed average: a backend that stopped getting traffic looks better over time. */
    private static final double STALE_HALF_LIFE_NANOS = 1e9;

    private volatile double ttftEwmaMillis = -1;
    static final int TTFT_WINDOW = 256;
    static final int MIN_TTFT_SAMPLES = 20;
    private final double[] recentTtft = new double[TTFT_WINDOW];
    private int recentCount;
    private volatile Warmth warmth = Warmth.UNKNOWN;
    private volatile long lastSampleNanos;
    private volatile long busyUntilMillis;

    Backend(BackendSpec spec, BackendClient client, BackendHealth health) {
        this.spec = spec;
        this.client = client;
        this.health = health;
    }

    public BackendSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public int inflight() {
        return inflight.get();
    }

    public int weight() {
        return spec.weight();
    }

    /** In-flight requests per unit of weight: what least-inflight and bounded load compare. */
    public double load() {
        return (double) inflight.get() / spec.weight();
    }

    /** Smoothed time to first token in ms; -1 before the first sample. */
    public double ttftEwmaMillis() {
        return ttftEwmaMillis;
    }

    /**
     * The time to first token to expect now: the average, halved for every second without a new sample.
     * Without the decay a backend measured slow once (say during a burst) would never be picked again,
     * so never measured again; with it, it gets a request after a while and is judged afresh.
     */
    public double expectedTtftMillis(long nowNanos) {
        double ewma = ttftEwmaMillis;
        if (ewma < 0) {
            return -1;
        }
        return ewma * Math.pow(0.5, (nowNanos - lastSampleNanos) / STALE_HALF_LIFE_NANOS);
    }

    public BackendHealth health() {
        return health;
    }

    BackendClient client() {
        return client;
    }

    boolean serves(String alias) {
        return spec.serves().contains(alias);
    }

    boolean hasRoom(long nowMillis) {
        return inflight.get() < spec.maxConcurrent() && nowMillis >= busyUntilMillis;
    }

    void acquired() {
        inflight.incrementAndGet();
    }

    void released() {
        inflight.decrementAndGet();
    }

    /** The backend said it is full (429, Ollama's 503): no new requests from here for a moment. */
    void busy(long nowMillis) {
        busyUntilMillis = nowMillis + BUSY_BACKOFF_MILLIS;
    }

    void recordTtft(double millis) {
        double prev = ttftEwmaMillis;
        ttftEwmaMillis = prev < 0 ? millis : prev + EWMA_ALPHA * (millis - prev);
        lastSampleNanos = System.nanoTime();
        synchronized (recentTtft) {
            recentTtft[recentCount++ % recentTtft.length] = millis;
        }
    }

    /**
     * The {@code p}th percentile of this backend's last {@value #TTFT_WINDOW} times to first token,
     * or -1 until {@value #MIN_TTFT_SAMPLES} were measured (a hedge needs a threshold it can trust).
     */
    public double ttftPercentile(int p) {
        double[] copy;
        synchronized (recentTtft) {
            int n = Math.min(recentCount, recentTtft.length);
            if (n < MIN_TTFT_SAMPLES) {
                return -1;
            }
            copy = java.util.Arrays.copyOf(recentTtft, n);
        }
        java.util.Arrays.sort(copy);
        return copy[Math.min(copy.length - 1, (int) Math.ceil(p / 100.0 * copy.length) - 1)];
    }

    /** Whether the backend has the model in memory, as its last {@code /api/ps} said (Ollama only). */
    public Warmth warmth() {
        return warmth;
    }

    void warmth(Warmth w) {
        warmth = w;
    }

    /** What the pool knows of a backend's model being loaded: only Ollama says ({@code GET /api/ps}). */
    public enum Warmth { UNKNOWN, LOADED, COLD }
}
