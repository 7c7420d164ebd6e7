package dev.switchboard.swarm;

/** What a turn reports while it runs, before its reply. */
public interface TurnListener {

    /** The active agent changed inside the turn (a handoff). */
    void agentChanged(String from, String to);

    TurnListener NONE = (from, to) -> {
    };
}
