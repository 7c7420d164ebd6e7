package dev.switchboard.swarm;

/** What a turn reports while it runs, before its reply. */
public interface TurnListener {

    /** The active agent changed inside the turn (a handoff or a way back). */
    void agentChanged(String from, String to);

    /** A piece of the answer, while a streamed turn runs. */
    default void token(String text) {
    }

    TurnListener NONE = (from, to) -> {
    };
}
