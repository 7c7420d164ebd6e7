package dev.switchboard.telegram;

import io.vertx.core.Future;

import java.util.List;

/**
 * The chat tier as the Telegram front end uses it: over WebSockets from the bridge
 * ({@link SocketTier}), or in-process on a replica for webhooks ({@link InProcessTier}).
 * Session {@code tg-<chat id>}; a message's id is {@code tg-<update_id>}, so asking again after a
 * crash gets the stored answer, not a second turn.
 */
public interface Tier {

    /** The answer to a message, or the tier's error as an answer; fails only when the front end is stopping. */
    Future<Answer> ask(long chatId, String messageId, String text);

    /** The newest {@code limit} messages of the chat's session, oldest first. */
    Future<List<Line>> history(long chatId, int limit);

    /** Starts the chat's session over; false when a turn of it is running. */
    Future<Boolean> reset(long chatId);

    /**
     * An answer: {@code text} and {@code agent}, or an error {@code code} with its message in
     * {@code text} and, for a spent budget, the seconds until it resets in {@code retryAfter}.
     */
    record Answer(String text, String agent, String code, long retryAfter) {
        public Answer(String text, String agent) {
            this(text, agent, null, 0);
        }

        public static Answer error(String code, String message) {
            return new Answer(message, null, code, 0);
        }

        public static Answer error(String code, String message, long retryAfter) {
            return new Answer(message, null, code, retryAfter);
        }

        public boolean failed() {
            return code != null;
        }
    }

    /** One stored message: role {@code user}, {@code assistant} or {@code tool}. */
    record Line(String role, String agent, String content) {
    }

    static String clientId(long chatId) {
        return "tg-" + chatId;
    }
}
