package dev.switchboard.session;

/**
 * The turn's lease expired and a newer turn of the same session began: its result is dropped
 * rather than interleaved with the newer turn.
 */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(String clientId) {
        super("the turn of session " + clientId + " outlived its lease and a newer turn began");
    }
}
