package dev.switchboard.llm;

import dev.switchboard.errors.ErrorCode;

/**
 * A completion the pool could not get: {@link #error()} is what the client is told
 * ({@code overloaded}, {@code backend_unavailable}, {@code backend_interrupted}, {@code bad_request},
 * {@code cancelled}); the message says what happened inside, for the log only.
 */
public class LlmException extends RuntimeException {
    private final ErrorCode error;

    public LlmException(ErrorCode error, String detail) {
        super(detail);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }

    /** The wire code, {@code backend_unavailable}. */
    public String code() {
        return error.code();
    }
}
