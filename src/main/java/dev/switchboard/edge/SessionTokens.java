package dev.switchboard.edge;

import dev.switchboard.config.SecretKeys;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Signed session tokens, so a guessed clientId does not open somebody else's session. A token is
 * {@code <expiry epoch seconds>.<base64url HMAC-SHA256(key, clientId "\n" expiry)>}; the app that
 * knows the user (a Telegram bridge, a web backend) mints it with the shared key and passes it as
 * {@code /chat?clientId=…&token=…}. Several keys verify (rotation); the first signs.
 * <p>
 * Minting from a shell: {@code SB_AUTH_KEYS=secret bin/token alice 24h}.
 */
public final class SessionTokens {
    private final SecretKeys keys;

    public SessionTokens(List<String> keys) {
        this.keys = SecretKeys.of(keys);
        if (this.keys.isEmpty()) {
            throw new IllegalArgumentException("at least one key is needed");
        }
    }

    public String mint(String clientId, Instant expiry) {
        long exp = expiry.getEpochSecond();
        return exp + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(keys.first(), clientId, exp));
    }

    /** Why {@code token} does not open {@code clientId}'s session at {@code now}, or null when it does. */
    public String problem(String clientId, String token, Instant now) {
        if (token == null || token.isEmpty()) {
            return "a token is required: /chat?clientId=ID&token=TOKEN";
        }
        int dot = token.indexOf('.');
        long exp;
        byte[] given;
        try {
            exp = Long.parseLong(token.substring(0, Math.max(dot, 0)));
            given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (RuntimeException e) {
            return "the token is malformed";
        }
        if (!keys.anyProduces(key -> mac(key, clientId, exp), given)) {
            return "the token does not match this clientId";
        }
        if (now.getEpochSecond() >= exp) {
            return "the token has expired";
        }
        return null;
    }

    private static byte[] mac(byte[] key, String clientId, long exp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal((clientId + "\n" + exp).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** {@code SessionTokens CLIENT_ID [TTL]}: prints a token signed with the first key of SB_AUTH_KEYS. */
    public static void main(String[] args) {
        String keys = System.getenv("SB_AUTH_KEYS");
        if (args.length < 1 || keys == null || keys.isBlank()) {
            System.err.println("usage: SB_AUTH_KEYS=key1[,key2] bin/token CLIENT_ID [TTL like 24h]");
            System.exit(2);
        }
        Duration ttl = args.length > 1 ? dev.switchboard.config.Durations.parse(args[1]) : Duration.ofHours(24);
        System.out.println(new SessionTokens(List.of(keys.split(","))).mint(args[0], Instant.now().plus(ttl)));
    }
}
