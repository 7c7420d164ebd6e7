package dev.switchboard.llm;

/**
 * Tokens spent: {@code input} (the prompt as the backend read it) and {@code output} (what it
 * wrote). {@code estimated} when any part was counted by {@link TokenEstimate} because the backend
 * reported nothing (a stream cut before its usage chunk, a hedge's losing try, a backend that
 * does not report).
 */
public record Usage(long input, long output, boolean estimated) {
    public static final Usage NONE = new Usage(0, 0, false);

    public long total() {
        return input + output;
    }

    public Usage plus(Usage other) {
        return new Usage(input + other.input, output + other.output, estimated || other.estimated);
    }
}
