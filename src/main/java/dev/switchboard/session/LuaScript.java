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
        return load(name, new String[0]);
    }

    /**
     * A script with the shared functions of {@code libs} before it (Redis runs one text: a library
     * is its source prepended, so every script that budgets counts the same way).
     */
    public static LuaScript load(String name, String... libs) {
        StringBuilder text = new StringBuilder();
        for (String lib : libs) {
            text.append(read(lib)).append('\n');
        }
        String source = text.append(read(name)).toString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing resource lua/" + name + ".lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs it through Quarkus's reactive data source: EVALSHA, and on NOSCRIPT EVAL once (which
     * caches it again). One round trip unless Redis lost its script cache.
     */
    public io.smallrye.mutiny.Uni<io.vertx.mutiny.redis.client.Response> run(
            io.quarkus.redis.datasource.ReactiveRedisDataSource redis, List<String> keys, String... argv) {
        String[] args = new String[2 + keys.size() + argv.length];
        args[0] = sha;
        args[1] = String.valueOf(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            args[2 + i] = keys.get(i);
        }
        System.arraycopy(argv, 0, args, 2 + keys.size(), argv.length);
        return redis.execute("EVALSHA", args)
                .onFailure(e -> e.getMessage() != null && e.getMessage().contains("NOSCRIPT"))
                .recoverWithUni(e -> {
                    String[] again = args.clone();
                    again[0] = source;
                    return redis.execute("EVAL", again);
                });
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
