package dev.switchboard.swarm;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The session's key-value memory during one turn: read by prompt templates ({@code {{memory.KEY}}})
 * and tools, written by tools, stored with the turn. Bounded, because it travels in every turn's
 * first Redis round trip: at most {@value #MAX_KEYS} keys of {@code [a-z0-9_.-]{1,40}}, values up to
 * {@value #MAX_VALUE_CHARS} characters of one line of plain text (no control characters, no
 * {@code < > { } `}): a value reaches the system prompt, as delimited data (see PromptRenderer).
 */
public final class SessionMemory {
    public static final int MAX_KEYS = 32;
    public static final int MAX_VALUE_CHARS = 1024;
    private static final Pattern KEY = Pattern.compile("[a-z0-9_.-]{1,40}");

    private final Map<String, String> values;

    public SessionMemory(Map<String, String> initial) {
        this.values = new TreeMap<>(initial);
    }

    public String get(String key) {
        return values.get(key);
    }

    public Map<String, String> snapshot() {
        return Map.copyOf(values);
    }

    /** @throws IllegalArgumentException with a reason a model can act on */
    public void put(String key, String value) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key must be 1-40 characters of a-z 0-9 _ . -");
        }
        if (value.length() > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException("value is longer than " + MAX_VALUE_CHARS + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || "<>{}`".indexOf(c) >= 0) {
                throw new IllegalArgumentException("value must be one line of plain text without < > { } `");
            }
        }
        if (!values.containsKey(key) && values.size() >= MAX_KEYS) {
            throw new IllegalArgumentException("memory is full (" + MAX_KEYS + " keys); remove one first");
        }
        values.put(key, value);
    }

    public boolean remove(String key) {
        return values.remove(key) != null;
    }
}
