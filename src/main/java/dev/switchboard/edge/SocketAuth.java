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

    /** What a handshake amounts to: why it may not open (null when it may), and whether a valid token opened it. */
    public record Verdict(String problem, boolean verified) {
    }

    /**
     * One judgement of {@code clientId} and {@code token}: a socket counts as verified only when a
     * token was given and it opens the session (without keys a given token is a problem, never verified).
     */
    public Verdict judge(String clientId, String token, Instant now) {
        String problem = problem(clientId, token, now);
        return new Verdict(problem, problem == null && token != null && !token.isEmpty());
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
