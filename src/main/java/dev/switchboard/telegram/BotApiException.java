package dev.switchboard.telegram;

/** The Bot API said no: {@code status} and Telegram's {@code description}; {@code retryAfter} seconds on 429. */
public final class BotApiException extends RuntimeException {
    private final int status;
    private final int retryAfter;

    public BotApiException(int status, String description, int retryAfter) {
        super("Telegram answered " + status + ": " + description);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** Seconds Telegram asked us to wait (429), else 0. */
    public int retryAfter() {
        return retryAfter;
    }

    /** Worth trying again later: flood control, Telegram's own trouble. Other 4xx are our mistake. */
    public boolean transientFailure() {
        return status == 429 || status >= 500;
    }
}
