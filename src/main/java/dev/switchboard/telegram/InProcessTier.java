package dev.switchboard.telegram;

import dev.switchboard.errors.ErrorCode;
import dev.switchboard.edge.Outbound;
import dev.switchboard.edge.RateLimits;
import dev.switchboard.session.SessionStore;
import dev.switchboard.swarm.ChatService;
import dev.switchboard.swarm.Swarm;
import dev.switchboard.swarm.TurnOutcome;
import dev.switchboard.swarm.TurnListener;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * The tier inside a replica, for webhook updates: the same turn path as a socket's message
 * ({@link ChatService}), the same per-session rate limit, no socket. Any replica serves any chat.
 */
final class InProcessTier implements Tier {
    private final ChatService chat;
    private final SessionStore store;
    private final RateLimits limits;

    InProcessTier(ChatService chat, SessionStore store, RateLimits limits) {
        this.chat = chat;
        this.store = store;
        this.limits = limits;
    }

    @Override
    public Future<Answer> ask(long chatId, String messageId, String text) {
        String clientId = Tier.clientId(chatId);
        String limited = limits.admit(clientId, null);
        if (limited != null) {
            return Future.succeededFuture(Answer.error("rate_limited", limited));
        }
        // through the same admission as a socket's turns: a draining replica takes none (the webhook
        // answers 503 and Telegram sends the update again, to a replica that is not stopping)
        return onThisContext(chat.ask(clientId, messageId, text, TurnListener.NONE, Swarm.TurnOptions.plain())
                .map(outcome -> switch (outcome) {
                    case TurnOutcome.Answered a -> new Answer(a.reply().text(), a.reply().agent());
                    case TurnOutcome.Failed f when f.code() == ErrorCode.DRAINING ->
                            throw new IllegalStateException("this replica is draining");
                    // the code's fixed text, as a socket client reads it: the detail is in the log
                    case TurnOutcome.Failed f -> Answer.error(f.code().code(), f.code().clientText(), f.retryAfterSeconds());
                }));
    }

    @Override
    public Future<List<Line>> history(long chatId, int limit) {
        return onThisContext(store.history(Tier.clientId(chatId), limit).map(messages -> messages.stream()
                .map(Outbound.Entry::of).map(e -> new Line(e.role(), e.agent(), e.content())).toList()));
    }

    @Override
    public Future<Boolean> reset(long chatId) {
        return onThisContext(store.reset(Tier.clientId(chatId)));
    }

    /** The Uni's result, delivered on the calling event loop (the webhook request's). */
    private static <T> Future<T> onThisContext(Uni<T> uni) {
        Context context = Vertx.currentContext();
        return Future.fromCompletionStage(uni.subscribeAsCompletionStage(), context);
    }
}
