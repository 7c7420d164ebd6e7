package dev.switchboard.swarm;

/**
 * A turn that ended without an answer. Nothing of it was stored; {@code code} is the error code
 * the client sees (see docs/PROTOCOL.md).
 */
public class TurnException extends RuntimeException {
    private final String code;

    public TurnException(String code, String message) {
        super(message);
        this.code = code;
    }

    public TurnException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
