package dev.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * A list of secret keys as configured (comma-separated, blanks dropped; several at once so one can
 * be rotated), compared in constant time against every key, so the timing tells nothing of which
 * one matched or how much of one did. Used for bearer keys and for session-token signing keys.
 */
public record SecretKeys(List<byte[]> keys) {

    public static SecretKeys of(List<String> configured) {
        return new SecretKeys(configured.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList());
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The key that signs (the first). */
    public byte[] first() {
        return keys.get(0);
    }

    /** True when {@code given} equals one of the keys; every key is compared, no early exit. */
    public boolean matches(byte[] given) {
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(key, given);
        }
        return ok;
    }

    /** True when {@code expected.apply(key)} equals {@code given} for one of the keys (an HMAC per key). */
    public boolean anyProduces(java.util.function.Function<byte[], byte[]> expected, byte[] given) {
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(expected.apply(key), given);
        }
        return ok;
    }

    @Override
    public String toString() {
        return "SecretKeys[" + keys.size() + " keys]"; // never the keys
    }
}
