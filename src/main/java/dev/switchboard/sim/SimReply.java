package dev.switchboard.sim;

import java.util.List;

/** What the simulated model answers: text, or tool calls (name + JSON arguments). */
record SimReply(String text, List<Call> calls, int status, long extraDelayMillis) {

    record Call(String id, String name, String arguments) {
    }

    boolean isToolCall() {
        return !calls.isEmpty();
    }

    /** The text in tokens as a model would stream them: words with their leading space. */
    List<String> tokens() {
        List<String> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        return out;
    }
}
