package dev.switchboard.config;

import java.time.Duration;

/**
 * When a second backend is asked for the same completion ({@code pool.hedge-after}): off, after a
 * fixed time without a first token ({@code 800ms}), or after the first backend's own measured
 * percentile of time to first token ({@code p95}).
 *
 * @param fixed      the fixed threshold, or null
 * @param percentile 1-99 when measured, else 0
 */
public record HedgeAfter(Duration fixed, int percentile) {
    public static final HedgeAfter OFF = new HedgeAfter(null, 0);

    public boolean enabled() {
        return fixed != null || percentile > 0;
    }

    /** {@code off}, {@code pNN} or a duration such as {@code 800ms}. */
    public static HedgeAfter parse(String text) {
        String t = text.trim();
        if (t.equals("off") || t.equals("false") || t.isEmpty()) { // YAML 1.1 reads a bare off as false
            return OFF;
        }
        if (t.matches("p\\d{1,2}")) {
            int p = Integer.parseInt(t.substring(1));
            if (p < 1) {
                throw new IllegalArgumentException("'" + t + "': a percentile is p1 to p99");
            }
            return new HedgeAfter(null, p);
        }
        try {
            Duration d = Durations.parse(t);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("'" + t + "' must be above zero");
            }
            return new HedgeAfter(d, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + t + "' is not off, a percentile like p95, or a duration like 800ms");
        }
    }

    @Override
    public String toString() {
        return fixed != null ? fixed.toMillis() + "ms" : percentile > 0 ? "p" + percentile : "off";
    }
}
