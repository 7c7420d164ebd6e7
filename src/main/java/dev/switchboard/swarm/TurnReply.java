package dev.switchboard.swarm;

import dev.switchboard.llm.Usage;
import dev.switchboard.session.BudgetLeft;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How a turn ended: the answer, the agent that gave it and the replica that ran the turn.
 * Stored with the session so that a resend of the same message id gets the same answer.
 *
 * @param replayed true when this is the stored answer to a message id answered before
 * @param resumed  how many times a backend's stream broke mid-answer and another one went on
 * @param usage    what the turn's completions spent (null for a replayed answer: it cost nothing now)
 * @param budget   the tightest budget after the turn, or null when none applies
 */
@RegisterForReflection
public record TurnReply(String text, String agent, String replica, @JsonIgnore boolean replayed, int resumed,
                        @JsonIgnore Usage usage, @JsonIgnore BudgetLeft budget) {

    public TurnReply(String text, String agent, String replica, boolean replayed, int resumed) {
        this(text, agent, replica, replayed, resumed, null, null);
    }
}
