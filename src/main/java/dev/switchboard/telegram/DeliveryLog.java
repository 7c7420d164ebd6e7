package dev.switchboard.telegram;

import dev.switchboard.session.LuaScript;
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
    private static final LuaScript ACCEPT = LuaScript.load("tg_accept");
    private static final LuaScript HOLD = LuaScript.load("tg_hold");
    private static final LuaScript LET_GO = LuaScript.load("tg_let_go");

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
        List<String> argv = new ArrayList<>(List.of(String.valueOf(next)));
        for (JsonObject u : updates) {
            argv.add(String.valueOf(u.getLong("update_id")));
            argv.add(u.encode());
        }
        return ACCEPT.run(redis, List.of(prefix + "pending", prefix + "offset"), argv).mapEmpty();
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
        return HOLD.run(redis, List.of(prefix + name), List.of(owner, String.valueOf(ttlMillis))).map(r -> r.toInteger() == 1);
    }

    private Future<Void> letGo(String name, String owner) {
        return LET_GO.run(redis, List.of(prefix + name), List.of(owner)).mapEmpty();
    }
}
