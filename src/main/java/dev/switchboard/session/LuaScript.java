package dev.switchboard.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/resources/lua}, with the SHA-1 that EVALSHA calls it by: the one
 * way Switchboard runs scripts (the session store, the Telegram front end), each a file with its
 * KEYS and ARGV in its header.
 */
public record LuaScript(String name, String source, String sha) {

    public static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing resource lua/" + name + ".lua");
            }
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs it on a Vert.x Redis client: EVALSHA, and on NOSCRIPT (a Redis restarted or flushed
     * since) EVAL once, which caches it again.
     */
    public io.vertx.core.Future<io.vertx.redis.client.Response> run(io.vertx.redis.client.RedisAPI redis, List<String> keys,
                                                                    List<String> argv) {
        List<String> args = new java.util.ArrayList<>(2 + keys.size() + argv.size());
        args.add(sha);
        args.add(String.valueOf(keys.size()));
        args.addAll(keys);
        args.addAll(argv);
        return redis.evalsha(args).recover(e -> {
            if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                return io.vertx.core.Future.failedFuture(e);
            }
            List<String> again = new java.util.ArrayList<>(args);
            again.set(0, source);
            return redis.eval(again);
        });
    }
}
