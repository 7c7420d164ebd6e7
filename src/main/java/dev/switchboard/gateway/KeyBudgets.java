package dev.switchboard.gateway;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.llm.Usage;
import dev.switchboard.session.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Tokens per minute and per day for each gateway key, counted in Redis so that every replica
 * sees one figure ({@code lua/key_budget.lua}). A key is named by a hash of it, never by itself:
 * the id is what Redis, metrics and {@code /admin/budgets} show. A request is admitted while the
 * key has tokens left and charged after it ends, so concurrent requests of one key may overshoot
 * by what they spend together.
 */
@Singleton
public class KeyBudgets {
    private static final Logger LOG = Logger.getLogger(KeyBudgets.class);
    private final LuaScript script = LuaScript.load("key_budget", "budget_lib");
    private final ReactiveRedisDataSource redis;
    private final long perMinute;
    private final long perDay;

    public KeyBudgets(ReactiveRedisDataSource redis, SwitchboardConfig config) {
        this.redis = io.quarkus.arc.ClientProxy.unwrap(redis);
        this.perMinute = config.gateway().tokensPerMinute();
        this.perDay = config.gateway().tokensPerDay();
    }

    public boolean enabled() {
        return perMinute > 0 || perDay > 0;
    }

    public long perMinute() {
        return perMinute;
    }

    public long perDay() {
        return perDay;
    }

    /** The id of a key: the first 12 hex digits of its SHA-256. */
    public static String idOf(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> keysOf(String id) {
        return List.of("sb:key:{" + id + "}:minute", "sb:key:{" + id + "}:day");
    }

    /** 0 when the key may go on, else milliseconds until the exhausted window ends. */
    Uni<Long> admit(String id) {
        if (!enabled()) {
            return Uni.createFrom().item(0L);
        }
        return script.run(redis, keysOf(id), "admit", String.valueOf(perMinute), String.valueOf(perDay))
                .map(r -> r.get(0).toLong());
    }

    /** Charges what a request spent; best effort (a lost charge is logged, the answer already went out). */
    void spend(String id, Usage usage) {
        if (!enabled() || usage.total() == 0) {
            return;
        }
        script.run(redis, keysOf(id), "spend", String.valueOf(perMinute), String.valueOf(perDay),
                        String.valueOf(usage.input()), String.valueOf(usage.output()))
                .subscribe().with(r -> { }, e -> LOG.warnf("gateway key %s: %d tokens not charged: %s", id, usage.total(), e.getMessage()));
    }
}
