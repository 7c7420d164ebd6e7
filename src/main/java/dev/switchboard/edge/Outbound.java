package dev.switchboard.edge;

import dev.switchboard.errors.ErrorCode;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.switchboard.llm.Usage;
import dev.switchboard.session.BudgetLeft;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.SessionSpend;
import dev.switchboard.swarm.TurnOutcome;

import java.util.List;

/** Server frames. Field names and codes are the wire protocol of docs/PROTOCOL.md. */
public final class Outbound {
    private Outbound() {
    }

    /** Ends a turn. {@code data} and {@code agentName} are always present, as the seed demo's clients expect. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(String type, String id, String data, String agentName, String replica, Boolean replayed, Integer resumed,
                        Spent usage, Left budget) {
        public Reply(String id, String data, String agentName, String replica, boolean replayed) {
            this(id, data, agentName, replica, replayed, 0);
        }

        /** @param resumed how many times the answer's stream broke and went on at another backend (shown when above 0) */
        public Reply(String id, String data, String agentName, String replica, boolean replayed, int resumed) {
            this("reply", id, data, agentName, replica, replayed ? Boolean.TRUE : null, resumed > 0 ? resumed : null, null, null);
        }
    }

    /** What a turn's completions spent; {@code estimated} (shown when true) where a backend reported nothing. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spent(long input, long output, Boolean estimated) {
        static Spent of(Usage u) {
            return u == null ? null : new Spent(u.input(), u.output(), u.estimated() ? Boolean.TRUE : null);
        }
    }

    /** The tightest budget after a turn: tokens left, seconds until its window ends. */
    @RegisterForReflection
    public record Left(long left, long resetIn) {
        static Left of(BudgetLeft b) {
            return b == null ? null : new Left(b.left(), (b.resetMillis() + 999) / 1000);
        }
    }

    /** Answers a usage command: the session's spend and each budget it counts against. */
    @RegisterForReflection
    public record UsageReport(String type, long input, long output, List<BudgetNow> budgets) {
        public static UsageReport of(SessionSpend s) {
            return new UsageReport("usage", s.input(), s.output(), s.budgets().stream()
                    .map(b -> new BudgetNow(b.name(), b.tokens(), b.spent(), b.left(), (b.resetMillis() + 999) / 1000)).toList());
        }
    }

    /** One budget in a usage frame; {@code resetIn} in seconds. */
    @RegisterForReflection
    public record BudgetNow(String name, long tokens, long spent, long left, long resetIn) {
    }

    /** The frame that ends a turn: its reply, {@code cancelled}, or the error the client is told. */
    static Object ending(String id, TurnOutcome outcome) {
        return switch (outcome) {
            case TurnOutcome.Answered a -> new Reply("reply", id, a.reply().text(), a.reply().agent(), a.reply().replica(),
                    a.reply().replayed() ? Boolean.TRUE : null, a.reply().resumed() > 0 ? a.reply().resumed() : null,
                    Spent.of(a.reply().usage()), Left.of(a.reply().budget()));
            case TurnOutcome.Failed f when f.code() == ErrorCode.CANCELLED -> new Cancelled(id);
            case TurnOutcome.Failed f -> new Error(id, f.code(), f.code().clientText(), f.retryAfterSeconds(), f.traceId());
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
    public record Error(String type, String id, String code, String message, Long retryAfter, String traceId) {
        public Error(String id, ErrorCode code, String message) {
            this("error", id, code.code(), message, null, null);
        }

        /**
         * @param retryAfter seconds until a retry can succeed (a spent budget); left out when 0
         * @param traceId    the failed turn's trace id, for the user to quote; left out when not traced
         */
        public Error(String id, ErrorCode code, String message, long retryAfter, String traceId) {
            this("error", id, code.code(), message, retryAfter > 0 ? retryAfter : null, traceId);
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
