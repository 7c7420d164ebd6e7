package dev.switchboard.swarm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How a turn ended: the answer, the agent that gave it and the replica that ran the turn.
 * Stored with the session so that a resend of the same message id gets the same answer.
 *
 * @param replayed true when this is the stored answer to a message id answered before
 * @param resumed  how many times a backend's stream broke mid-answer and another one went on
 */
@RegisterForReflection
public record TurnReply(String text, String agent, String replica, @JsonIgnore boolean replayed, int resumed) {
}
