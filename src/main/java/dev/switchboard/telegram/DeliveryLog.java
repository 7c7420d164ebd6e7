package dev.switchboard.telegram;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * What the Telegram front end keeps in Redis so that a restart neither loses nor repeats an update.
 * Keys share the hash tag {@code {tg:<bot id>}} (one Cluster slot): {@code pending} holds updates
 * taken from Telegram and not yet answered, {@code offset} the next update to ask Telegram for,
 * {@code sent:<update_id>} how many pieces of that update's answer went out (two days), {@code poller}
 * the long-polling lease, {@code claim:<update_id>} the webhook request working on an update.
 */
public final class DeliveryLog {
    static final long SENT_TTL_SECONDS = 2 * 24 * 3600;
    // updates are recorded as pending and the offset moved past them in one step
    private static final String ACCEPT = """
            for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
            if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[2], ARGV[1]) end
            return 1""";
    // take the lease when free, renew it when ours; 1 when we hold it afterwards
    private static final String LEAD = """
            local cur = redis.call('GET', KEYS[1])
            if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
            if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
            return 0""";
    private static final String RESIGN = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    private final RedisAPI redis;
    private final String prefix;

    /** @param botId the number before the colon of the bot token: not secret, and it keeps two bots apart */
    public DeliveryLog(RedisAPI redis, String botId) {
        this.redis = redis;
        this.prefix = "sb:{tg:" + botId + "}:";
    }

    public static String botId(String token) {
        int colon = token.indexOf(':');
        return colon > 0 ? token.substring(0, colon) : Integer.toHexString(token.hashCode());
    }

    /** How many pieces of the answer to {@code updateId} were sent already. */
    public Future<Integer> sent(long updateId) {
        return redis.get(prefix + "sent:" + updateId).map(r -> r == null ? 0 : r.toInteger());
    }

    public Future<Void> markSent(long updateId, int pieces) {
        return redis.set(List.of(prefix + "sent:" + updateId, String.valueOf(pieces), "EX", String.valueOf(SENT_TTL_SECONDS)))
                .mapEmpty();
    }

    /** Updates taken from Telegram and not answered yet (a previous poller's, after a crash). */
    public Future<List<JsonObject>> pending() {
        return redis.hvals(prefix + "pending").map(r -> {
            List<JsonObject> out = new ArrayList<>();
            for (Response v : r) {
                out.add(new JsonObject(v.toString()));
            }
            out.sort((a, b) -> Long.compare(a.getLong("update_id"), b.getLong("update_id")));
            return out;
        });
    }

    /** The first update id to ask Telegram for: 0 when none was ever stored. */
    public Future<Long> offset() {
        return redis.get(prefix + "offset").map(r -> r == null ? 0L : r.toLong());
    }

    /** Records {@code updates} as pending and the offset as {@code next}: after this Telegram may forget them. */
    public Future<Void> accept(List<JsonObject> updates, long next) {
        List<String> args = new ArrayList<>(List.of(ACCEPT, "2", prefix + "pending", prefix + "offset", String.valueOf(next)));
        for (JsonObject u : updates) {
            args.add(String.valueOf(u.getLong("update_id")));
            args.add(u.encode());
        }
        return redis.eval(args).mapEmpty();
    }

    /** The update is answered: it leaves the pending set. */
    public Future<Void> done(long updateId) {
        return redis.hdel(List.of(prefix + "pending", String.valueOf(updateId))).mapEmpty();
    }

    /** Takes or renews the polling lease for {@code owner}; true when {@code owner} holds it. */
    public Future<Boolean> lead(String owner, long ttlMillis) {
        return hold("poller", owner, ttlMillis);
    }

    public Future<Void> resign(String owner) {
        return letGo("poller", owner);
    }

    /**
     * Claims one update for {@code owner} (a webhook request), or renews the claim; false when
     * another request works on it. Telegram resends a webhook update it got no answer to in time.
     */
    public Future<Boolean> claim(long updateId, String owner, long ttlMillis) {
        return hold("claim:" + updateId, owner, ttlMillis);
    }

    public Future<Void> unclaim(long updateId, String owner) {
        return letGo("claim:" + updateId, owner);
    }

    private Future<Boolean> hold(String name, String owner, long ttlMillis) {
        return redis.eval(List.of(LEAD, "1", prefix + name, owner, String.valueOf(ttlMillis))).map(r -> r.toInteger() == 1);
    }

    private Future<Void> letGo(String name, String owner) {
        return redis.eval(List.of(RESIGN, "1", prefix + name, owner)).mapEmpty();
    }
}
