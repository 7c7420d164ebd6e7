package dev.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.errors.ErrorCode;
import dev.switchboard.llm.Cancellation;
import dev.switchboard.session.SessionStore;
import dev.switchboard.swarm.ChatService;
import dev.switchboard.swarm.Swarm;
import dev.switchboard.swarm.TurnAdmission;
import dev.switchboard.swarm.TurnListener;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

/**
 * The {@code /chat?clientId=ID} endpoint. Everything runs on the socket's event loop: frames are
 * decoded there, a socket's turns run one after another as {@code Uni} chains ({@link SocketTurns})
 * and history reads beside them, so a {@code cancel} is read while its turn runs. No handler
 * blocks; none hands work to another thread. The handshake was checked by {@link ChatUpgradeCheck};
 * {@link SocketGate} checks it once more at open, so a socket exists only for a session its client
 * may open, however the upgrade got here.
 */
@WebSocket(path = "/chat", endpointId = ChatSocket.ENDPOINT_ID)
public class ChatSocket {
    static final String ENDPOINT_ID = "switchboard-chat";
    private static final Logger LOG = Logger.getLogger(ChatSocket.class);
    static final UserData.TypedKey<SocketState> STATE = new UserData.TypedKey<>("switchboard");

    private final ChatService chat;
    private final SessionStore store;
    private final FrameCodec codec;
    private final FrameSender out;
    private final RateLimits limits;
    private final SocketGate gate;

    public ChatSocket(ChatService chat, SessionStore store, ObjectMapper json, SwitchboardConfig config,
                      RateLimits limits, SocketAuth auth) {
        this.chat = chat;
        this.limits = limits;
        this.store = store;
        this.codec = new FrameCodec(json, config.edge().maxFrameBytes(), config.edge().maxHistoryLimit(),
                config.edge().maxMessageChars());
        this.out = new FrameSender(codec, config.edge().maxPendingBytes());
        this.gate = new SocketGate(auth, limits, new ClientAddress(config.edge().trustedProxies()));
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        SocketGate.Opening opening = gate.open(connection.handshakeRequest());
        if (opening.refusal() != null) {
            Sockets.close(connection, opening.refusal());
            return;
        }
        connection.userData().put(STATE, opening.state());
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        SocketState state = connection.userData().get(STATE);
        if (state != null) {
            state.turns.closed();
            gate.closed(state);
        }
    }

    /**
     * A frame past {@code quarkus.websockets-next.server.max-message-size} fails in the WebSocket layer
     * before any handler: the socket is closed with 1009 and one line is logged, not a stack trace
     * per oversized frame (a cheap way to flood the log otherwise).
     */
    @OnError
    @NonBlocking
    public void onError(Throwable error, WebSocketConnection connection) {
        String message = String.valueOf(error.getMessage());
        if (error instanceof IllegalStateException && message.contains("max message size")) {
            LOG.debugf("closing %s: %s", connection.id(), message);
            Sockets.close(connection, new CloseReason(1009, "message too big"));
        } else {
            LOG.errorf(error, "socket %s failed", connection.id());
            Sockets.close(connection, new CloseReason(1011, "server error"));
        }
    }

    @OnTextMessage
    @NonBlocking
    public void onMessage(String frame, WebSocketConnection connection) {
        SocketState state = connection.userData().get(STATE);
        if (state == null) {
            return; // refused at open, closing
        }
        state.touch();
        String clientId = state.clientId;
        SocketTurns turns = state.turns;
        String limited = limits.admit(clientId, state.ip);
        if (limited != null) {
            out.send(connection, new Outbound.Error(null, ErrorCode.RATE_LIMITED, limited));
            return;
        }
        switch (codec.decode(frame)) {
            case Inbound.Message m -> {
                TurnAdmission.Ticket ticket = chat.admit();
                if (ticket == null) {
                    // Not run here: the client resends it (same id) on the replica it reconnects to.
                    // A socket with a turn still running is closed by the drain once that turn ends.
                    if (!turns.active()) {
                        Sockets.close(connection, Drain.GOING_AWAY);
                    }
                    return;
                }
                if (!turns.submit(m.id(), ticket, cancel -> turn(connection, clientId, m, cancel, ticket))) {
                    ticket.end();
                    out.send(connection, new Outbound.Error(m.id(), ErrorCode.BUSY,
                            "more than " + SocketTurns.MAX_QUEUED + " messages of this socket are waiting; slow down"));
                }
            }
            case Inbound.History h -> history(connection, clientId, h.limit());
            case Inbound.Reset r -> reset(connection, clientId);
            case Inbound.Usage u -> usage(connection, clientId);
            case Inbound.Cancel c -> {
                if (!turns.cancel(c.id())) {
                    out.send(connection, new Outbound.Error(c.id(), ErrorCode.NOT_RUNNING,
                            "no turn with id " + c.id() + " is running or waiting on this socket"));
                }
            }
            case Inbound.Invalid bad -> out.send(connection, new Outbound.Error(bad.id(), bad.code(), bad.message()));
        }
    }

    /** One turn, from the message to its reply or error frame; it never fails (failures become frames). */
    private Uni<Void> turn(WebSocketConnection connection, String clientId, Inbound.Message m, Cancellation cancel,
                           TurnAdmission.Ticket ticket) {
        TurnListener listener = new TurnListener() {
            @Override
            public void agentChanged(String from, String to) {
                out.send(connection, new Outbound.Agent(m.id(), from, to));
            }

            @Override
            public void token(String text) {
                out.token(connection, new Outbound.Token(m.id(), text));
            }
        };
        return chat.answer(ticket, clientId, m.id(), m.text(), listener, new Swarm.TurnOptions(m.stream(), cancel, m.traceparent()))
                .invoke(outcome -> out.send(connection, Outbound.ending(m.id(), outcome)))
                .replaceWithVoid();
    }

    private void history(WebSocketConnection connection, String clientId, int limit) {
        store.history(clientId, limit).subscribe().with(
                messages -> out.send(connection, new Outbound.History(messages.stream().map(Outbound.Entry::of).toList())),
                e -> storeDown(connection));
    }

    private void usage(WebSocketConnection connection, String clientId) {
        store.spend(clientId).subscribe().with(spend -> out.send(connection, Outbound.UsageReport.of(spend)), e -> storeDown(connection));
    }

    private void storeDown(WebSocketConnection connection) {
        out.send(connection, new Outbound.Error(null, ErrorCode.STORE_UNAVAILABLE, "the session store is unavailable; try again shortly"));
    }

    private void reset(WebSocketConnection connection, String clientId) {
        store.reset(clientId).subscribe().with(
                done -> out.send(connection, done ? new Outbound.Reset()
                        : new Outbound.Error(null, ErrorCode.BUSY, "a turn of this session is running; reset after it ends")),
                e -> storeDown(connection));
    }
}
