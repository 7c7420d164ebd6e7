package dev.switchboard.session;

import java.util.List;

/** What the first round trip of a turn found. */
public sealed interface TurnStart {

    /** The message id was answered before: here is the stored reply frame, no new turn runs. */
    record Answered(String replyJson) implements TurnStart {
    }

    /** Another turn of the session holds the lease, for {@code remainingMillis} at most. */
    record Busy(String holder, long remainingMillis) implements TurnStart {
    }

    /**
     * A budget of the session has no tokens left in its window: no turn runs until it ends.
     *
     * @param budget           {@code session} or {@code group:<prefix>}
     * @param retryAfterMillis until the window ends, on Redis's clock
     */
    record OverBudget(String budget, long retryAfterMillis) implements TurnStart {
    }

    /** The lease is ours; the state and the newest messages of the history come with it. */
    record Started(Lease lease, SessionState state, List<HistoryMessage> window) implements TurnStart {
    }
}
