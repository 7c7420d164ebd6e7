package dev.switchboard.llm;

/** Receives the text of a streamed completion as the backend sends it. */
@FunctionalInterface
public interface TokenSink {
    void token(String text);
}
