package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the backend pool of every replica picks, retries, resumes and waits.
 *
 * @param strategy        balancing strategy name (least-inflight by default)
 * @param retries         further backends tried after a connect error, 5xx or timeout before the first token
 * @param maxFails        failures within {@code failTimeout} that put a backend in cooldown
 * @param failTimeout     the window for {@code maxFails}, and the cooldown length
 * @param probeInterval   active health probe period
 * @param queueTimeout    how long a turn waits for a free backend before an "overloaded" error
 * @param fallbacks       alias to aliases tried when no backend of the alias is usable
 * @param maxQueue        most turns waiting for a free backend in one replica; beyond it "overloaded" at once
 * @param deepProbe       also probe with a 1-token completion (Ollama answers "/" while inference hangs)
 * @param boundedLoad     ε of session-affinity: a backend above (1+ε) × the average load spills to the next
 * @param resumeMidStream a stream that breaks after output began goes on at another backend
 * @param maxResumes      how many times one completion may be resumed
 * @param stallTimeout    a stream with no token for this long after its first one counts as broken
 * @param hedgeAfter      when to ask a second backend for a first token that is late
 */
public record PoolSpec(String strategy, int retries, int maxFails, Duration failTimeout, Duration probeInterval,
                       Duration queueTimeout, Map<String, List<String>> fallbacks, int maxQueue, boolean deepProbe,
                       double boundedLoad, boolean resumeMidStream, int maxResumes, Duration stallTimeout,
                       HedgeAfter hedgeAfter) {

    /** The defaults of an absent {@code pool:} section: the one place they are written. */
    public static PoolSpec defaults() {
        return new PoolSpec("least-inflight", 2, 3, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Map.of(), 256, false, 0.25, true, 1, Duration.ofSeconds(20), HedgeAfter.OFF);
    }

    /** A builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Sets fields by name, so tests and the loader never spell out the whole constructor. */
    public static final class Builder {
        private String strategy;
        private int retries;
        private int maxFails;
        private Duration failTimeout;
        private Duration probeInterval;
        private Duration queueTimeout;
        private Map<String, List<String>> fallbacks;
        private int maxQueue;
        private boolean deepProbe;
        private double boundedLoad;
        private boolean resumeMidStream;
        private int maxResumes;
        private Duration stallTimeout;
        private HedgeAfter hedgeAfter;

        private Builder(PoolSpec s) {
            strategy = s.strategy;
            retries = s.retries;
            maxFails = s.maxFails;
            failTimeout = s.failTimeout;
            probeInterval = s.probeInterval;
            queueTimeout = s.queueTimeout;
            fallbacks = s.fallbacks;
            maxQueue = s.maxQueue;
            deepProbe = s.deepProbe;
            boundedLoad = s.boundedLoad;
            resumeMidStream = s.resumeMidStream;
            maxResumes = s.maxResumes;
            stallTimeout = s.stallTimeout;
            hedgeAfter = s.hedgeAfter;
        }

        public Builder strategy(String v) { strategy = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder maxFails(int v) { maxFails = v; return this; }
        public Builder failTimeout(Duration v) { failTimeout = v; return this; }
        public Builder probeInterval(Duration v) { probeInterval = v; return this; }
        public Builder queueTimeout(Duration v) { queueTimeout = v; return this; }
        public Builder fallbacks(Map<String, List<String>> v) { fallbacks = Map.copyOf(v); return this; }
        public Builder maxQueue(int v) { maxQueue = v; return this; }
        public Builder deepProbe(boolean v) { deepProbe = v; return this; }
        public Builder boundedLoad(double v) { boundedLoad = v; return this; }
        public Builder resumeMidStream(boolean v) { resumeMidStream = v; return this; }
        public Builder maxResumes(int v) { maxResumes = v; return this; }
        public Builder stallTimeout(Duration v) { stallTimeout = v; return this; }
        public Builder hedgeAfter(HedgeAfter v) { hedgeAfter = v; return this; }

        public PoolSpec build() {
            return new PoolSpec(strategy, retries, maxFails, failTimeout, probeInterval, queueTimeout, fallbacks, maxQueue,
                    deepProbe, boundedLoad, resumeMidStream, maxResumes, stallTimeout, hedgeAfter);
        }
    }
}
