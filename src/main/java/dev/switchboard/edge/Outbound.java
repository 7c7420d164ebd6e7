package dev.switchboard.edge;

import dev.switchboard.errors.ErrorCode;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.switchboard.session.HistoryMessage;
import dev.switchboard.swarm.TurnOutcome;

import java.util.List;

/** Server frames. Field names and codes are the wire protocol of docs/PROTOCOL.md. */
public final class Outbound {
    private Outbound() {
    }

    /** Ends a turn. {@code data} and {@code agentName} are always present, as the seed demo's clients expect. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(String type, String id, String data, String agentName, String replica, Boolean replayed, Integer resumed) {
        public Reply(String id, String data, String agentName, String replica, boolean replayed) {
            this(id, data, agentName, replica, replayed, 0);
        }

        /** @param resumed how many times the answer's stream broke and went on at another backend (shown when above 0) */
        public Reply(String id, String data, String agentName, String replica, boolean replayed, int resumed) {
            this("reply", id, data, agentName, replica, replayed ? Boolean.TRUE : null, resumed > 0 ? resumed : null);
        }
    }

    /** The frame that ends a turn: its reply, {@code cancelled}, or the error the client is told. */
    static Object ending(String id, TurnOutcome outcome) {
        return switch (outcome) {
            case TurnOutcome.Answered a -> new Reply(id, a.reply().text(), a.reply().agent(),
                    a.reply().replica(), a.reply().replayed(), a.reply().resumed());
            case TurnOutcome.Failed f when f.code() == ErrorCode.CANCELLED -> new Cancelled(id);
            case TurnOutcome.Failed f -> new Error(id, f.code(), f.code().clientText());
        };
    }

    /** A piece of a streamed answer. */
    @RegisterForReflection
    public record Token(String type, String id, String data) {
        public Token(String id, String data) {
            this("token", id, data);
        }
    }

    /** A cancel stopped the turn; nothing of it was stored. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cancelled(String type, String id) {
        public Cancelled(String id) {
            this("cancelled", id);
        }
    }

    /** The active agent changed. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Agent(String type, String id, String from, String to) {
        public Agent(String id, String from, String to) {
            this("agent", id, from, to);
        }
    }

    /** Something went wrong; {@code code} is stable, {@code message} is for people. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String type, String id, String code, String message) {
        public Error(String id, ErrorCode code, String message) {
            this("error", id, code.code(), message);
        }
    }

    /** Answers a history command. */
    @RegisterForReflection
    public record History(String type, List<Entry> messages) {
        public History(List<Entry> messages) {
            this("history", messages);
        }
    }

    /** One message of a history frame. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String id, String role, String agent, String content, long ts, String tool) {

        /** A stored message as clients see it: a tool-calling message without text names its calls. */
        public static Entry of(HistoryMessage m) {
            String content = m.content();
            if (m.hasToolCalls() && (content == null || content.isEmpty())) {
                content = "[calls " + String.join(", ", m.toolCalls().stream().map(HistoryMessage.ToolCall::name).toList()) + "]";
            }
            return new Entry(m.id(), m.role(), m.agent(), content, m.ts(), m.toolName());
        }
    }

    /** The session was reset: its history and active agent are gone. */
    @RegisterForReflection
    public record Reset(String type) {
        public Reset() {
            this("reset");
        }
    }
}
