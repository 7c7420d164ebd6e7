package dev.switchboard.swarm;

import dev.switchboard.errors.ErrorCode;

/**
 * A turn that ended without an answer. Nothing of it was stored; {@link #error()} is what the
 * client is told (docs/PROTOCOL.md), the message what happened inside, for the log only.
 */
public class TurnException extends RuntimeException {
    private final ErrorCode error;
    private long retryAfterSeconds;

    public TurnException(ErrorCode error, String detail) {
        super(detail);
        this.error = error;
    }

    public TurnException(ErrorCode error, String detail, Throwable cause) {
        super(detail, cause);
        this.error = error;
    }

    /** A failure the client may retry after a known time (a spent budget). */
    public static TurnException retryAfter(ErrorCode error, String detail, long retryAfterSeconds) {
        TurnException e = new TurnException(error, detail);
        e.retryAfterSeconds = retryAfterSeconds;
        return e;
    }

    /** Seconds until a retry can succeed, or 0 when that is not known. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode error() {
        return error;
    }

    /** The wire code, {@code store_unavailable}. */
    public String code() {
        return error.code();
    }
}
