package dev.switchboard.edge;

import dev.switchboard.errors.ErrorCode;
/** A client frame, decoded. */
public sealed interface Inbound {

    /** A user message; {@code id} is the client's message id (may be null), {@code stream} asks for token frames. */
    /** @param traceparent the client's W3C trace context for this turn, when it sent a valid one; else null */
    record Message(String id, String text, boolean stream, String traceparent) implements Inbound {
        Message(String id, String text, boolean stream) {
            this(id, text, stream, null);
        }
    }

    /** Stop the turn answering message {@code id}. */
    record Cancel(String id) implements Inbound {
    }

    /** Send the newest {@code limit} messages of the session. */
    record History(int limit) implements Inbound {
    }

    /** Forget the session's history and active agent (a new conversation under the same clientId). */
    /** Asks for the session's spend and its budgets. */
    record Usage() implements Inbound {
    }

    record Reset() implements Inbound {
    }

    /** A frame that is not understood: answered with an error frame, nothing else happens. */
    record Invalid(String id, ErrorCode code, String message) implements Inbound {
    }
}
