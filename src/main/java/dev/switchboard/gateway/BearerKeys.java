package dev.switchboard.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The keys an HTTP API accepts in {@code Authorization: Bearer KEY}. Several keys at once let an
 * operator rotate one without downtime. Compared in constant time; never logged.
 */
final class BearerKeys {
    private final List<byte[]> keys;

    BearerKeys(List<String> keys) {
        this.keys = keys.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    boolean open() {
        return keys.isEmpty();
    }

    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(key, given); // no early exit: timing says nothing about which key
        }
        return ok;
    }
}
