package dev.switchboard.llm;

/**
 * A completion the pool could not get. {@code code} is the error code the client sees
 * ({@code overloaded}, {@code backend_unavailable}, {@code bad_request}).
 */
public class LlmException extends RuntimeException {
    private final String code;

    public LlmException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
