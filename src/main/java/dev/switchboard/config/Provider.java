package dev.switchboard.config;

/** The wire format a backend speaks. exo serves the OpenAI format, on port 52415 by default. */
public enum Provider {
    OLLAMA, OPENAI, EXO;

    public static Provider parse(String text) {
        return Provider.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
