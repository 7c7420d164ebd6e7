package dev.switchboard.session;

/** Redis could not be reached or answered with an error: the turn fails and nothing was written. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
