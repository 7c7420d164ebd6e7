package dev.switchboard.session;

/**
 * The Redis keys of one session. All three share the hash tag {@code {clientId}}, so Redis
 * Cluster keeps them in one slot and a Lua script may touch all of them.
 */
public record SessionKeys(String history, String state, String lease) {

    /** @param clientId already validated by the edge: no braces, spaces or control characters */
    public static SessionKeys of(String clientId) {
        String tag = "sb:{" + clientId + "}:";
        return new SessionKeys(tag + "history", tag + "state", tag + "lease");
    }
}
