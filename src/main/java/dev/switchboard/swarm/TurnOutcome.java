package dev.switchboard.swarm;

import dev.switchboard.errors.ErrorCode;

/**
 * How a turn ended, for a front end to render: its answer, or the code the client is told (a
 * {@link ErrorCode#CANCELLED} turn is one the client stopped). What went wrong inside was logged
 * by {@link ChatService} with the message id; nothing here needs the exception.
 */
public sealed interface TurnOutcome {

    record Answered(TurnReply reply) implements TurnOutcome {
    }

    /**
     * @param retryAfterSeconds when the client may try again (a spent budget), else 0
     * @param traceId           the turn's trace, for the user to quote; null when it was not traced
     */
    record Failed(ErrorCode code, long retryAfterSeconds, String traceId) implements TurnOutcome {
        public Failed(ErrorCode code) {
            this(code, 0, null);
        }
    }
}
