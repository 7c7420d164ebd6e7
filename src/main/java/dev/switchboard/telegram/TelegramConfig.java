package dev.switchboard.telegram;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** The webhook mode on the replicas ({@code POST /telegram/webhook}); the bridge reads its environment instead. */
@ConfigMapping(prefix = "sb.telegram")
public interface TelegramConfig {

    /** The bot's token ({@code TELEGRAM_BOT_TOKEN}); without it and a secret the webhook route answers 404. */
    Optional<String> botToken();

    /**
     * The secret Telegram sends in {@code X-Telegram-Bot-Api-Secret-Token} ({@code TELEGRAM_WEBHOOK_SECRET});
     * give the same one to {@code setWebhook}'s {@code secret_token}.
     */
    Optional<String> webhookSecret();

    /** Where the Bot API is ({@code TELEGRAM_API_URL}). */
    @WithDefault("https://api.telegram.org")
    String apiUrl();

    /** {@code plain} or {@code markdownv2} ({@code TELEGRAM_PARSE_MODE}). */
    @WithDefault("plain")
    String parseMode();

    /** How long a Bot API call may wait for Telegram's answer ({@code TELEGRAM_REQUEST_TIMEOUT}). */
    @WithDefault("30s")
    java.time.Duration requestTimeout();

    /** What {@code /start} answers ({@code TELEGRAM_GREETING}). */
    @WithDefault(BridgeSettings.DEFAULT_GREETING)
    String greeting();
}
