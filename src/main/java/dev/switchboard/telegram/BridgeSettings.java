package dev.switchboard.telegram;

import dev.switchboard.config.Durations;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The bridge's settings, from its environment (docs/FRONTENDS.md). The token is kept out of
 * {@link #toString()} so that it is never logged.
 */
public record BridgeSettings(String token, String apiUrl, URI tierUrl, String redisUrl, String redisMode, String redisMaster,
                             List<String> authKeys,
                             UpdateHandler.ParseMode parseMode, String greeting, Duration pollTimeout, Duration leaseTtl) {

    static final String DEFAULT_GREETING = "Hi! I am an assistant of Switchboard. Ask me anything.";

    public static BridgeSettings fromEnv(Map<String, String> env) {
        String token = env.getOrDefault("TELEGRAM_BOT_TOKEN", "").trim();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("TELEGRAM_BOT_TOKEN is not set: the bot's token from @BotFather");
        }
        String keys = env.getOrDefault("SB_AUTH_KEYS", "").trim();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("SB_AUTH_KEYS is not set: the bridge signs its tg- sessions with the tier's key");
        }
        String mode = env.getOrDefault("TELEGRAM_PARSE_MODE", "plain").trim().toUpperCase(java.util.Locale.ROOT);
        return new BridgeSettings(token,
                env.getOrDefault("TELEGRAM_API_URL", "https://api.telegram.org"),
                URI.create(env.getOrDefault("SWITCHBOARD_WS_URL", "ws://127.0.0.1:8080/chat")),
                env.getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"),
                env.getOrDefault("SB_REDIS_MODE", "standalone"),
                env.getOrDefault("SB_REDIS_MASTER", "mymaster"),
                List.of(keys.split(",")),
                UpdateHandler.ParseMode.valueOf(mode),
                env.getOrDefault("TELEGRAM_GREETING", DEFAULT_GREETING),
                Durations.parse(env.getOrDefault("TELEGRAM_POLL_TIMEOUT", "25s")),
                Durations.parse(env.getOrDefault("TELEGRAM_LEASE_TTL", "10s")));
    }

    @Override
    public String toString() {
        return "BridgeSettings[bot " + DeliveryLog.botId(token) + ", api " + apiUrl + ", tier " + tierUrl + ", parse mode "
                + parseMode + ", poll " + pollTimeout.toSeconds() + " s, lease " + leaseTtl.toMillis() + " ms]";
    }
}
