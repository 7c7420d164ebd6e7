package dev.switchboard.edge;

import dev.switchboard.config.SwitchboardConfig;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;

/**
 * Who may open which session. A clientId is not a secret, so a session that a trusted front end
 * opens for its users (the Telegram bridge's {@code tg-<chat id>}) needs a signed token always;
 * with {@code sb.auth.required} every session does. A token that is given is always checked, so a
 * socket that carries one was opened by whoever holds a key: such sockets are limited per session
 * only, not per address (one bridge speaks for many chats from one address).
 */
@Singleton
public class SocketAuth {
    private final SessionTokens tokens;
    private final boolean required;
    private final List<String> tokenPrefixes;

    public SocketAuth(SwitchboardConfig config) {
        SwitchboardConfig.Auth auth = config.auth();
        List<String> keys = auth.keys().orElse(List.of()).stream().filter(k -> !k.isBlank()).toList();
        this.tokens = keys.isEmpty() ? null : new SessionTokens(keys);
        this.required = auth.required();
        this.tokenPrefixes = auth.tokenPrefixes().stream().filter(p -> !p.isBlank()).toList();
        if (required && tokens == null) {
            throw new IllegalStateException("sb.auth.required is true but sb.auth.keys (SB_AUTH_KEYS) is not set");
        }
    }

    /** Why the session {@code clientId} may not be opened with {@code token} (may be null), or null when it may. */
    public String problem(String clientId, String token, Instant now) {
        boolean given = token != null && !token.isEmpty();
        if (!given && !required && !needsToken(clientId)) {
            return null;
        }
        if (tokens == null) {
            // Closed by default: a token that cannot be checked is refused, not ignored, so no client
            // is ever treated as holding a key that nobody configured.
            return given ? "this tier has no sb.auth.keys, so it accepts no token"
                    : "sessions starting with " + tokenPrefixes + " need a signed token, and this tier has no sb.auth.keys";
        }
        return tokens.problem(clientId, token, now);
    }

    /**
     * True only when {@code token} is given and opens {@code clientId}'s session at {@code now}:
     * such a socket was opened by a holder of a key and is limited per session only.
     */
    public boolean verified(String clientId, String token, Instant now) {
        return tokens != null && token != null && !token.isEmpty() && tokens.problem(clientId, token, now) == null;
    }

    /** True when signing keys are configured (the webhook and the bridge refuse to run without). */
    public boolean hasKeys() {
        return tokens != null;
    }

    private boolean needsToken(String clientId) {
        for (String prefix : tokenPrefixes) {
            if (clientId.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
