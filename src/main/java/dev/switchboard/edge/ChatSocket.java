package dev.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.SessionStore;
import dev.switchboard.session.StoreUnavailableException;
import dev.switchboard.swarm.ChatService;
import dev.switchboard.swarm.TurnException;
import dev.switchboard.swarm.TurnReply;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code /chat?clientId=ID} endpoint: decodes frames, runs turns on virtual threads and
 * writes the answers back. The handshake was checked by {@link HandshakeFilter}.
 */
@WebSocket(path = HandshakeFilter.PATH)
public class ChatSocket {
    private static final Logger LOG = Logger.getLogger(ChatSocket.class);
    static final UserData.TypedKey<String> CLIENT_ID = new UserData.TypedKey<>("clientId");
    static final UserData.TypedKey<AtomicLong> LAST_ACTIVE = new UserData.TypedKey<>("lastActive");

    private final ChatService chat;
    private final SessionStore store;
    private final FrameCodec codec;

    public ChatSocket(ChatService chat, SessionStore store, ObjectMapper json, SwitchboardConfig config) {
        this.chat = chat;
        this.store = store;
        this.codec = new FrameCodec(json, config.edge().maxFrameBytes(), config.edge().maxHistoryLimit());
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        String clientId = ClientIds.fromQuery(connection.handshakeRequest().query());
        if (ClientIds.problem(clientId) != null) {
            connection.close(new CloseReason(1008, "invalid clientId")).subscribe().with(v -> { }, e -> { });
            return;
        }
        connection.userData().put(CLIENT_ID, clientId);
        connection.userData().put(LAST_ACTIVE, new AtomicLong(System.currentTimeMillis()));
    }

    @OnTextMessage
    @RunOnVirtualThread
    public void onMessage(String frame, WebSocketConnection connection) {
        AtomicLong lastActive = connection.userData().get(LAST_ACTIVE);
        if (lastActive != null) {
            lastActive.set(System.currentTimeMillis());
        }
        String clientId = connection.userData().get(CLIENT_ID);
        Inbound in = codec.decode(frame);
        switch (in) {
            case Inbound.Message m -> turn(connection, clientId, m);
            case Inbound.History h -> history(connection, clientId, h.limit());
            case Inbound.Cancel c -> send(connection, new Outbound.Error(c.id(), "not_running",
                    "no turn with id " + c.id() + " is running on this socket"));
            case Inbound.Invalid bad -> send(connection, new Outbound.Error(bad.id(), bad.code(), bad.message()));
        }
    }

    private void turn(WebSocketConnection connection, String clientId, Inbound.Message m) {
        try {
            TurnReply reply = chat.send(clientId, m.id(), m.text(),
                    (from, to) -> send(connection, new Outbound.Agent(m.id(), from, to)));
            send(connection, new Outbound.Reply(m.id(), reply.text(), reply.agent(), reply.replica(), reply.replayed()));
        } catch (TurnException e) {
            LOG.debugf("turn of %s failed: %s %s", clientId, e.code(), e.getMessage());
            send(connection, new Outbound.Error(m.id(), e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "turn of %s failed unexpectedly", clientId);
            send(connection, new Outbound.Error(m.id(), "internal", "the turn failed on the server; nothing was stored, you may resend"));
        }
    }

    private void history(WebSocketConnection connection, String clientId, int limit) {
        try {
            List<Outbound.Entry> entries = store.history(clientId, limit).stream()
                    .map(ChatSocket::entry)
                    .toList();
            send(connection, new Outbound.History(entries));
        } catch (StoreUnavailableException e) {
            send(connection, new Outbound.Error(null, "store_unavailable", "the session store is unavailable; try again shortly"));
        }
    }

    private static Outbound.Entry entry(HistoryMessage m) {
        String content = m.content();
        if (m.hasToolCalls() && (content == null || content.isEmpty())) {
            content = "[calls " + String.join(", ", m.toolCalls().stream().map(HistoryMessage.ToolCall::name).toList()) + "]";
        }
        return new Outbound.Entry(m.id(), m.role(), m.agent(), content, m.ts(), m.toolName());
    }

    private void send(WebSocketConnection connection, Object frame) {
        if (connection.isOpen()) {
            try {
                connection.sendTextAndAwait(codec.encode(frame));
            } catch (RuntimeException e) {
                // the client went away mid-turn; the turn itself is stored and can be fetched with "history"
                LOG.debugf("frame not delivered to %s: %s", connection.id(), e.getMessage());
            }
        }
    }
}
