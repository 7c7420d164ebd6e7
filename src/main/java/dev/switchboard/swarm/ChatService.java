package dev.switchboard.swarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.llm.LlmException;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.LeaseLostException;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionStore;
import dev.switchboard.session.StoreUnavailableException;
import dev.switchboard.session.TurnStart;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * One turn, top to bottom: take the session (round trip 1), run the agent loop, store the turn and
 * give the session back (round trip 2). A turn that fails stores nothing, so the user may resend.
 * Blocking: runs on a virtual thread.
 */
@ApplicationScoped
public class ChatService {
    private final SessionStore store;
    private final Swarm swarm;
    private final ReplicaIdentity replica;
    private final ObjectMapper json;

    public ChatService(SessionStore store, Swarm swarm, ReplicaIdentity replica, ObjectMapper json) {
        this.store = store;
        this.swarm = swarm;
        this.replica = replica;
        this.json = json;
    }

    /**
     * @param messageId the client's id for the message, or null; a resend of an answered id gets the stored answer
     * @throws TurnException with the error code for the client; nothing was stored
     */
    public TurnReply send(String clientId, String messageId, String text, TurnListener listener) {
        return send(clientId, messageId, text, listener, Swarm.TurnOptions.PLAIN);
    }

    /**
     * @param options streaming (tokens go to {@code listener}) and the handle that cancels the turn
     */
    public TurnReply send(String clientId, String messageId, String text, TurnListener listener, Swarm.TurnOptions options) {
        TurnStart start;
        try {
            start = store.begin(clientId, messageId, swarm.widestWindow());
        } catch (StoreUnavailableException e) {
            throw new TurnException("store_unavailable", "the session store is unavailable; try again shortly", e);
        }
        return switch (start) {
            case TurnStart.Answered a -> replay(a.replyJson());
            case TurnStart.Busy b -> throw new TurnException("busy",
                    "another message of this session is still being answered (by replica " + b.holder().split("#")[0] + ")");
            case TurnStart.Started s -> {
                boolean committed = false;
                try {
                    String agent = swarm.activeAgent(s.state()).name();
                    HistoryMessage user = HistoryMessage.user(messageId != null ? messageId : "u-" + UUID.randomUUID(),
                            agent, text, System.currentTimeMillis());
                    Swarm.Outcome outcome = swarm.run(clientId, s.state(), s.window(), user, listener, options);
                    if (options.cancel() != null && options.cancel().isCancelled()) {
                        throw new TurnException("cancelled", "the turn was cancelled");
                    }
                    TurnReply reply = new TurnReply(outcome.text(), outcome.agent(), replica.id(), false);
                    store.commit(s.lease(), messageId, json.writeValueAsString(reply), outcome.state(), outcome.messages());
                    committed = true;
                    yield reply;
                } catch (LlmException e) {
                    throw new TurnException(e.code(), e.getMessage(), e);
                } catch (StoreUnavailableException e) {
                    throw new TurnException("store_unavailable", "the session store is unavailable; try again shortly", e);
                } catch (LeaseLostException e) {
                    committed = true; // the lease belongs to the newer turn now: do not release it
                    throw new TurnException("busy", "this turn took too long and a newer message of the session went first", e);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                } finally {
                    if (!committed) {
                        store.release(s.lease());
                    }
                }
            }
        };
    }

    private TurnReply replay(String stored) {
        try {
            TurnReply r = json.readValue(stored, TurnReply.class);
            return new TurnReply(r.text(), r.agent(), r.replica(), true);
        } catch (JsonProcessingException e) {
            throw new TurnException("store_unavailable", "the stored answer of this message cannot be read", e);
        }
    }
}
