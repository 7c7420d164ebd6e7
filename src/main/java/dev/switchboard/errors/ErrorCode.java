package dev.switchboard.errors;

import java.util.Locale;

/**
 * Every failure a client of Switchboard can be told about: the stable {@code code} of an error
 * frame or a {@code /v1} error, the fixed text the client reads, and the HTTP status the gateway
 * answers with. The text is fixed on purpose: what went wrong inside (a backend's name, a host, an
 * exception message) goes to the replica's log with the turn's id, never to the client.
 * <p>
 * The codes a client's own input causes ({@link #BAD_FRAME}, {@link #TOO_LARGE}, …) carry a text
 * about that input instead, made where the input is judged; {@link #clientText} is their default.
 */
public enum ErrorCode {
    BAD_FRAME(400, "the frame could not be read"),
    TOO_LARGE(413, "the message is too large"),
    UNKNOWN_TYPE(400, "unknown frame type"),
    NOT_RUNNING(404, "no such turn is running or waiting on this socket"),
    RATE_LIMITED(429, "too many messages; slow down"),
    BUSY(409, "another message of this session is still being answered; resend in a moment"),
    CANCELLED(499, "the turn was cancelled"),
    OVERLOADED(429, "every backend for this model is busy; try again shortly"),
    BACKEND_UNAVAILABLE(503, "no backend could answer; nothing was stored, you may resend"),
    BACKEND_INTERRUPTED(502, "the backend stopped in the middle of the answer; nothing was stored, you may resend"),
    BAD_REQUEST(400, "the backend refused the request as invalid"),
    AGENT_LOOP(500, "the agent kept calling tools past this turn's bound; nothing was stored"),
    BAD_OUTPUT(502, "the model's answer was unusable; nothing was stored, you may resend"),
    BUDGET_EXCEEDED(429, "the token budget of this conversation is spent for now; retryAfter says when it resets"),
    DRAINING(503, "this replica is shutting down; reconnect and resend"),
    STORE_UNAVAILABLE(503, "the session store is unavailable; nothing was stored, try again shortly"),
    INTERNAL(500, "the turn failed on the server; nothing was stored, you may resend");

    private final int httpStatus;
    private final String clientText;

    ErrorCode(int httpStatus, String clientText) {
        this.httpStatus = httpStatus;
        this.clientText = clientText;
    }

    /** The wire form: {@code backend_unavailable}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** What the client reads: fixed text, nothing from inside the server. */
    public String clientText() {
        return clientText;
    }
}
