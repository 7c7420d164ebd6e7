package dev.switchboard.swarm;

import dev.switchboard.errors.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.llm.Usage;
import dev.switchboard.trace.Tracing;
import dev.switchboard.trace.TurnTrace;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.LeaseLostException;
import dev.switchboard.session.LeaseValue;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionStore;
import dev.switchboard.session.StoreUnavailableException;
import dev.switchboard.session.TurnStart;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * One turn, top to bottom: admission (a {@link TurnAdmission.Ticket}, refused while the replica
 * drains), take the session (round trip 1), run the agent loop, store the turn and give the session
 * back (round trip 2), and what the client is told when any of it fails. A turn that fails stores
 * nothing, so the user may resend. Non-blocking: one {@link Uni} chain that runs on the event loop
 * that subscribes to it. Every front end comes through here: the socket (which admits a message when
 * it queues it, {@link #admit} then {@link #send}) and the Telegram webhook ({@link #ask}).
 */
@Singleton
public class ChatService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ChatService.class);
    private static final String STORE_DOWN = "the session store is unavailable; try again shortly";

    private final SessionStore store;
    private final Swarm swarm;
    private final ReplicaIdentity replica;
    private final ObjectMapper json;
    private final TurnAdmission admission;
    private final TurnMetrics metrics;
    private final Tracing tracing;

    public ChatService(SessionStore store, Swarm swarm, ReplicaIdentity replica, ObjectMapper json, TurnAdmission admission,
                       TurnMetrics metrics, Tracing tracing) {
        this.tracing = tracing;
        this.admission = admission;
        this.metrics = metrics;
        this.store = store;
        this.swarm = swarm;
        this.replica = replica;
        this.json = json;
    }

    /** A ticket for a turn this replica will answer, or null while it drains (the client resends elsewhere). */
    public TurnAdmission.Ticket admit() {
        return admission.admit();
    }

    /** Admission and the turn in one, for a front end that has no queue of its own (the webhook). */
    public Uni<TurnOutcome> ask(String clientId, String messageId, String text, TurnListener listener, Swarm.TurnOptions options) {
        TurnAdmission.Ticket ticket = admit();
        if (ticket == null) {
            return Uni.createFrom().item(new TurnOutcome.Failed(ErrorCode.DRAINING));
        }
        return answer(ticket, clientId, messageId, text, listener, options);
    }

    /**
     * The turn of an admitted message as what its front end renders: never fails. Every failure is
     * mapped here, once, to the code the client is told, and its detail logged with the message id.
     */
    public Uni<TurnOutcome> answer(TurnAdmission.Ticket ticket, String clientId, String messageId, String text,
                                   TurnListener listener, Swarm.TurnOptions options) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            TurnTrace trace = tracing.turn(clientId, messageId, replica.id(), options.traceparent());
            return send(ticket, clientId, messageId, text, listener, options.traced(trace))
                    .<TurnOutcome>map(TurnOutcome.Answered::new)
                    .onFailure().recoverWithItem(e -> new TurnOutcome.Failed(codeOf(e, clientId, messageId, trace),
                            e instanceof TurnException t ? t.retryAfterSeconds() : 0, trace.traceId()))
                    .invoke(outcome -> {
                        String name = switch (outcome) {
                            case TurnOutcome.Answered a -> a.reply().replayed() ? "replayed" : "answered";
                            case TurnOutcome.Failed f -> f.code().code();
                        };
                        metrics.ended(name, System.nanoTime() - started);
                        trace.end(name, outcome instanceof TurnOutcome.Failed);
                    });
        });
    }

    private static ErrorCode codeOf(Throwable e, String clientId, String messageId, TurnTrace trace) {
        String traceId = trace.traceId() == null ? "" : " trace=" + trace.traceId();
        if (e instanceof TurnException t) {
            LOG.debugf("turn %s of %s failed: %s %s%s", messageId, clientId, t.code(), t.getMessage(), traceId);
            return t.error();
        }
        LOG.errorf(e, "turn %s of %s failed unexpectedly%s", messageId, clientId, traceId);
        return ErrorCode.INTERNAL;
    }

    /**
     * The turn of an admitted message; its ticket ends with it, however it ends.
     *
     * @param messageId the client's id for the message, or null; a resend of an answered id gets the stored answer
     * @param options   streaming (tokens go to {@code listener}) and the handle that cancels the turn
     * @return fails with {@link TurnException} with the error code for the client; nothing was stored
     */
    public Uni<TurnReply> send(TurnAdmission.Ticket ticket, String clientId, String messageId, String text, TurnListener listener,
                               Swarm.TurnOptions options) {
        return turn(clientId, messageId, text, listener, options).onTermination().invoke(ticket::end);
    }

    private Uni<TurnReply> turn(String clientId, String messageId, String text, TurnListener listener, Swarm.TurnOptions options) {
        return store.begin(clientId, messageId, swarm.widestWindow(), options.trace())
                .onFailure().transform(ChatService::forClient)
                .flatMap(start -> switch (start) {
                    case TurnStart.Answered a -> Uni.createFrom().item(() -> replay(a.replyJson()));
                    case TurnStart.Busy b -> Uni.createFrom().failure(new TurnException(ErrorCode.BUSY,
                            "another message of this session is still being answered (by replica "
                                    + replicaOf(b.holder()) + ")"));
                    case TurnStart.OverBudget o -> overBudget(o);
                    case TurnStart.Started s -> run(clientId, messageId, text, listener, options, s);
                });
    }

    /** Nothing ran and nothing is stored: the client hears when the budget's window ends. */
    private Uni<TurnReply> overBudget(TurnStart.OverBudget o) {
        metrics.refused(o.budget());
        return Uni.createFrom().failure(TurnException.retryAfter(ErrorCode.BUDGET_EXCEEDED,
                "the " + o.budget() + " budget is spent until its window ends", (o.retryAfterMillis() + 999) / 1000));
    }

    /** The lease is ours: run the agents, then store the turn and give the lease back in one round trip. */
    private Uni<TurnReply> run(String clientId, String messageId, String text, TurnListener listener,
                               Swarm.TurnOptions options, TurnStart.Started s) {
        String agent = swarm.activeAgent(s.state()).name();
        HistoryMessage user = HistoryMessage.user(messageId != null ? messageId : Swarm.newId(), agent, text, System.currentTimeMillis());
        return swarm.run(clientId, s.state(), s.window(), user, listener, options)
                .flatMap(outcome -> {
                    if (options.cancelled()) {
                        return Uni.createFrom().failure(new TurnException(ErrorCode.CANCELLED, "the turn was cancelled"));
                    }
                    Usage spent = options.meter().total();
                    TurnReply reply = new TurnReply(outcome.text(), outcome.agent(), replica.id(), false, outcome.resumed());
                    return store.commit(s.lease(), messageId, encode(reply), outcome.state(), outcome.messages(),
                                    spent.input(), spent.output(), options.trace())
                            .invoke(() -> metrics.spent(outcome.agent(), spent, s.lease().budgets().names()))
                            .map(left -> new TurnReply(reply.text(), reply.agent(), reply.replica(), false, reply.resumed(),
                                    spent, left));
                })
                // a lost lease belongs to a newer turn now: only this turn's own lease is given back, with
                // what the failed turn's completions spent (the backends did that work)
                .onFailure(e -> !(e instanceof LeaseLostException)).invoke(e -> {
                    Usage spent = options.meter().total();
                    metrics.spent(null, spent, s.lease().budgets().names());
                    store.release(s.lease(), spent.input(), spent.output(), options.trace());
                })
                // This replica stalled (or was thought dead) and another took the turn over: when that one
                // stored an answer to this message, this socket gets the same answer, not an error.
                .onFailure(LeaseLostException.class).recoverWithUni(e -> messageId == null ? Uni.createFrom().failure(e)
                        : store.storedAnswer(clientId, messageId).flatMap(stored -> stored == null
                                ? Uni.createFrom().<TurnReply>failure(e) : Uni.createFrom().item(() -> replay(stored))))
                .onFailure().transform(ChatService::forClient);
    }

    private static String replicaOf(String leaseValue) {
        LeaseValue v = LeaseValue.parse(leaseValue);
        return v == null ? "unknown" : v.replicaId();
    }

    /** What the client is told when a turn fails; nothing of the turn was stored. */
    private static Throwable forClient(Throwable e) {
        return switch (e) {
            case StoreUnavailableException u -> new TurnException(ErrorCode.STORE_UNAVAILABLE, STORE_DOWN, u);
            case LeaseLostException l -> new TurnException(ErrorCode.BUSY,
                    "this turn took too long and a newer message of the session went first", l);
            default -> e;
        };
    }

    /** The stored answer of a message id, as the mapper would write the record (read back by {@link #replay}). */
    private String encode(TurnReply reply) {
        java.io.StringWriter out = new java.io.StringWriter(64 + reply.text().length());
        try (com.fasterxml.jackson.core.JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("text", reply.text());
            g.writeStringField("agent", reply.agent());
            g.writeStringField("replica", reply.replica());
            if (reply.resumed() > 0) {
                g.writeNumberField("resumed", reply.resumed());
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private TurnReply replay(String stored) {
        try {
            TurnReply r = json.readValue(stored, TurnReply.class);
            return new TurnReply(r.text(), r.agent(), r.replica(), true, r.resumed());
        } catch (JsonProcessingException e) {
            throw new TurnException(ErrorCode.STORE_UNAVAILABLE, "the stored answer of this message cannot be read", e);
        }
    }
}
