package dev.switchboard.llm;

/** Receives the text of a streamed completion as the backend sends it. */
@FunctionalInterface
public interface TokenSink {
    void token(String text);

    /**
     * The stream broke at backend {@code from} and goes on at {@code to}: the tokens that follow
     * continue the answer; none of those already received is sent again.
     */
    default void resumed(String from, String to) {
    }
}
