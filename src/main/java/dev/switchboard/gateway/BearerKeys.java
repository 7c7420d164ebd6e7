package dev.switchboard.gateway;

import dev.switchboard.config.SecretKeys;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The keys an HTTP API accepts in {@code Authorization: Bearer KEY}. Several keys at once let an
 * operator rotate one without downtime. Compared in constant time; never logged.
 */
final class BearerKeys {
    private final SecretKeys keys;

    BearerKeys(List<String> keys) {
        this.keys = SecretKeys.of(keys);
    }

    boolean open() {
        return keys.isEmpty();
    }

    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return keys.matches(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }
}
