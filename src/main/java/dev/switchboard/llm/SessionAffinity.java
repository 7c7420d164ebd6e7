package dev.switchboard.llm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Consistent hashing on the session with bounded load (Mirrokni, Thorup, Zadimoghaddam 2018), so
 * a session's follow-up turns land on the backend whose prompt/KV cache is warm, without pinning
 * anybody to an overloaded one.
 * <p>
 * The order of preference per session is weighted rendezvous hashing: stable while the set of
 * backends is stable, and when one leaves only its sessions move. A backend is taken only while
 * its in-flight count stays within {@code ceil((1+ε) × (in flight + 1) × weight / total weight)};
 * otherwise the session spills to its next choice.
 */
public final class SessionAffinity implements BalancingStrategy {
    private final double epsilon;
    /** Picks of the session's first choice among the backends with room, and picks of another one. */
    final java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder spills = new java.util.concurrent.atomic.LongAdder();

    public SessionAffinity(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public Backend pick(List<Backend> candidates, String sessionKey) {
        if (candidates.size() == 1) {
            hits.increment();
            return candidates.get(0);
        }
        String key = sessionKey == null ? "" : sessionKey;
        List<Backend> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparingDouble((Backend b) -> score(key, b)).reversed());
        int inflight = 0;
        int weights = 0;
        for (Backend b : candidates) {
            inflight += b.inflight();
            weights += b.weight();
        }
        for (Backend b : order) {
            double cap = Math.ceil((1 + epsilon) * (inflight + 1) * b.weight() / weights);
            if (b.inflight() + 1 <= cap) {
                (b == order.get(0) ? hits : spills).increment();
                return b;
            }
        }
        return order.get(0); // unreachable: the caps add up to more than the load
    }

    /** The session's preference for {@code b}: -weight / ln(u), u uniform in (0,1) from a hash of both names. */
    static double score(String sessionKey, Backend b) {
        long h = hash(sessionKey + "\u0000" + b.name());
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
        return -b.weight() / Math.log(u);
    }

    /** 64-bit FNV-1a with a final avalanche (murmur3 fmix64): cheap, stable across JVMs and replicas. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= c;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb53fe1a85ec3L;
        h ^= h >>> 33;
        return h;
    }
}
