package dev.switchboard.swarm;

import dev.switchboard.errors.ErrorCode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.llm.Cancellation;
import dev.switchboard.llm.LlmException;
import dev.switchboard.llm.TokenSink;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import dev.switchboard.swarm.tools.ToolRegistry;
import jakarta.inject.Singleton;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The agents of the swarm file and the agent loop of one turn: prompt the active agent, run the
 * tools it calls, follow its navigation (the new agent answers in the same turn), rescue bad
 * output, stop at a text answer. Knows nothing of Redis: it gets the session's state and history
 * window and returns what to store. Non-blocking: the loop is a chain of {@link Uni}s on the
 * turn's event loop; only a tool marked {@code blocking} leaves it (see {@link ToolRunner}).
 */
@Singleton
public class Swarm {
    private final SwarmSpec spec;
    private final BackendPool pool;
    private final ReplicaIdentity replica;
    private final Navigation navigation;
    private final ToolRunner tools;
    private final Clock clock;
    private final Map<String, PromptRenderer> prompts = new HashMap<>();
    private final int callBound;
    private volatile DatedString today = new DatedString(-1, "");

    /** Today's date as text, worked out once a day rather than once a turn. */
    private record DatedString(long day, String text) {
    }

    @Inject
    public Swarm(SwarmSpec spec, BackendPool pool, ReplicaIdentity replica, ToolRegistry registry) {
        this(spec, pool, replica, registry, Clock.systemUTC());
    }

    Swarm(SwarmSpec spec, BackendPool pool, ReplicaIdentity replica, ToolRegistry registry, Clock clock) {
        this.spec = spec;
        this.pool = pool;
        this.replica = replica;
        this.navigation = new Navigation(spec);
        this.tools = new ToolRunner(spec, registry, clock);
        this.clock = clock;
        for (AgentSpec agent : spec.agents()) {
            prompts.put(agent.name(), new PromptRenderer(agent.system(), Map.of(
                    "port", String.valueOf(replica.port()),
                    "replica", replica.id(),
                    "agent", agent.name(),
                    "handoffs", navigation.describeHandoffs(agent))));
        }
        int maxTools = spec.agents().stream().mapToInt(AgentSpec::maxToolCalls).max().orElse(0);
        this.callBound = 2 + spec.swarm().maxHandoffsPerTurn() + spec.swarm().rescueAttempts()
                + maxTools * (spec.swarm().maxHandoffsPerTurn() + 1);
    }

    /** What the agent loop produced: the answer, the messages to append, the state to save. */
    /** @param resumed how many times a broken stream of this turn went on at another backend */
    public record Outcome(String text, String agent, List<HistoryMessage> messages, SessionState state, int resumed) {
    }

    /** How one turn runs: streamed or not, and the handle that cancels it. */
    public record TurnOptions(boolean stream, Cancellation cancel) {
        public static final TurnOptions PLAIN = new TurnOptions(false, null);
    }

    public int widestWindow() {
        return spec.widestWindow();
    }

    /** The agent a session is on; the default one for a new session or an agent since removed from config. */
    public AgentSpec activeAgent(SessionState state) {
        return Optional.ofNullable(state.activeAgent()).flatMap(spec::agent)
                .orElseGet(() -> spec.agent(spec.swarm().defaultAgent()).orElseThrow());
    }

    public Uni<Outcome> run(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
                            TurnListener listener) {
        return run(clientId, state, history, userMessage, listener, TurnOptions.PLAIN);
    }

    /**
     * Runs the agent loop for one user message.
     *
     * @param history     the session's newest stored messages, oldest first
     * @param userMessage the user's message, already shaped as it will be stored
     * @return fails with {@link TurnException} carrying the client's error code; nothing of the turn is to be stored
     */
    public Uni<Outcome> run(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
                            TurnListener listener, TurnOptions options) {
        return Uni.createFrom().deferred(() -> new Turn(clientId, state, history, userMessage, listener, options).step(0, null));
    }

    /** The mutable state of one running turn. */
    private final class Turn {
        private final String clientId;
        private final SessionState start;
        private final TurnListener listener;
        private final TurnOptions options;
        private final SessionMemory memory;
        private final List<String> stack;
        private final List<HistoryMessage> stored = new ArrayList<>();
        private final List<HistoryMessage> context;
        private final Set<String> visited = new HashSet<>();
        private final Map<String, Integer> toolCalls = new HashMap<>();
        private AgentSpec agent;
        private int handoffs;
        private int rescues;
        private int resumed;
        /** Tokens go to the listener; a resumed stream is counted for the reply frame. */
        private final TokenSink tokens = new TokenSink() {
            @Override
            public void token(String text) {
                listener.token(text);
            }

            @Override
            public void resumed(String from, String to) {
                resumed++;
            }
        };

        Turn(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
             TurnListener listener, TurnOptions options) {
            this.clientId = clientId;
            this.start = state;
            this.listener = listener;
            this.options = options;
            this.memory = new SessionMemory(state.memory());
            this.stack = new ArrayList<>(state.stack());
            this.context = new ArrayList<>(history);
            this.agent = activeAgent(state);
            visited.add(agent.name());
            stored.add(userMessage);
            context.add(userMessage);
        }

        /** One model call and what follows from it; the next step is chained until a text answer. */
        Uni<Outcome> step(int calls, String correction) {
            if (calls >= callBound) {
                return Uni.createFrom().failure(new TurnException(ErrorCode.AGENT_LOOP,
                        "agent " + agent.name() + " did not answer within the tool-call bound"));
            }
            if (options.cancel() != null && options.cancel().isCancelled()) {
                return Uni.createFrom().failure(new TurnException(ErrorCode.CANCELLED, "the turn was cancelled"));
            }
            return complete(correction).flatMap(ai -> {
                String bad = BadOutput.problem(ai);
                if (bad != null) {
                    switch (spec.swarm().rescue()) {
                        case RECOMPLETE -> {
                            if (rescues++ < spec.swarm().rescueAttempts()) {
                                return step(calls + 1, "Your previous reply was " + bad + ". Reply to the user in plain text, "
                                        + "or call one of your tools with valid JSON arguments.");
                            }
                            return Uni.createFrom().failure(new TurnException(ErrorCode.BAD_OUTPUT, "agent " + agent.name() + " gave "
                                    + bad + " " + rescues + " times; nothing was stored, you may resend"));
                        }
                        case FLUSH -> {
                            return Uni.createFrom().item(flushed());
                        }
                        case FAIL -> {
                            return Uni.createFrom().failure(new TurnException(ErrorCode.BAD_OUTPUT, "agent " + agent.name() + " gave "
                                    + bad + "; nothing was stored, you may resend"));
                        }
                    }
                }
                long now = clock.millis();
                if (!ai.hasToolExecutionRequests()) {
                    String text = ai.text().strip();
                    stored.add(HistoryMessage.assistant(newId(), agent.name(), text, now));
                    return Uni.createFrom().item(new Outcome(text, agent.name(), stored,
                            new SessionState(agent.name(), stack, memory.snapshot()), resumed));
                }
                return followToolCalls(ai, now).flatMap(v -> step(calls + 1, null));
            });
        }

        private Uni<AiMessage> complete(String correction) {
            List<ChatMessage> messages = new ArrayList<>(ContextWindow.build(systemPrompt(agent, memory), agent.name(),
                    agent.keepMessages(), context));
            if (correction != null) {
                messages.add(SystemMessage.from(correction));
            }
            List<ToolSpecification> offered = new ArrayList<>(navigation.toolsOf(agent.name(), stack));
            offered.addAll(tools.specsOf(agent));
            ChatRequest request = ChatRequest.builder().messages(messages).toolSpecifications(offered).build();
            return pool.chat(agent.model(), clientId, request, options.stream() ? tokens : null, options.cancel())
                    .map(ChatResponse::aiMessage)
                    .onFailure(LlmException.class).transform(e -> new TurnException(((LlmException) e).error(), e.getMessage(), e));
        }

        /** Runs the calls of one model reply in order; a navigation among them switches the agent after the last. */
        private Uni<Void> followToolCalls(AiMessage ai, long now) {
            HistoryMessage call = new HistoryMessage(newId(), HistoryMessage.ASSISTANT, agent.name(),
                    ai.text() == null ? "" : ai.text(), now,
                    ai.toolExecutionRequests().stream()
                            .map(r -> new HistoryMessage.ToolCall(r.id() == null || r.id().isBlank() ? newId() : r.id(),
                                    r.name(), r.arguments()))
                            .toList(), null, null);
            stored.add(call);
            context.add(call);
            AgentSpec[] next = {null};
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (int i = 0; i < ai.toolExecutionRequests().size(); i++) {
                ToolExecutionRequest r = ai.toolExecutionRequests().get(i);
                String callId = call.toolCalls().get(i).id();
                chain = chain.flatMap(v -> result(r, next).map(result -> {
                    HistoryMessage toolResult = new HistoryMessage(newId(), HistoryMessage.TOOL, agent.name(), result, now,
                            List.of(), callId, r.name());
                    stored.add(toolResult);
                    context.add(toolResult);
                    return null;
                }));
            }
            return chain.invoke(() -> {
                if (next[0] != null) {
                    listener.agentChanged(agent.name(), next[0].name());
                    agent = next[0];
                    visited.add(next[0].name());
                }
            });
        }

        /** What one tool call answers: a navigation move, or a tool's result. */
        private Uni<String> result(ToolExecutionRequest r, AgentSpec[] next) {
            Navigation.Move move = navigation.move(agent, r.name(), stack);
            if (move != null) {
                String result = next[0] != null ? "Ignored: this reply already changed the agent." : navigate(move);
                if (next[0] == null && move.target() != null && result.startsWith("Transferred")) {
                    next[0] = move.target();
                }
                return Uni.createFrom().item(result);
            }
            int used = toolCalls.merge(agent.name(), 1, Integer::sum);
            if (used > agent.maxToolCalls()) {
                return Uni.createFrom().item(
                        "Error: the tool-call limit of this turn (" + agent.maxToolCalls() + ") is reached. Answer the user now.");
            }
            return tools.run(agent, r, clientId, memory);
        }

        /** Applies a navigation move to the stack, or says why not; the caller switches the agent. */
        private String navigate(Navigation.Move move) {
            if (move.target() == null) {
                return "Error: " + move.refusal();
            }
            if (handoffs >= spec.swarm().maxHandoffsPerTurn()) {
                return "Handoff refused: this turn reached its limit of " + spec.swarm().maxHandoffsPerTurn()
                        + " handoffs. Answer the user yourself.";
            }
            if (visited.contains(move.target().name())) {
                return "Handoff refused: " + move.target().name() + " already handled this message. Answer the user yourself.";
            }
            handoffs++;
            move.applyTo(stack, agent.name());
            return "Transferred to " + move.target().name() + ". The " + move.target().name() + " agent answers from here.";
        }

        /** The flush rescue: the user's message and a placeholder answer; the broken exchange is not kept. */
        private Outcome flushed() {
            String text = spec.swarm().flushMessage();
            AgentSpec original = activeAgent(start);
            List<HistoryMessage> kept = List.of(stored.get(0), HistoryMessage.assistant(newId(), original.name(), text, clock.millis()));
            return new Outcome(text, original.name(), kept, start, resumed);
        }
    }

    private String systemPrompt(AgentSpec agent, SessionMemory memory) {
        return prompts.get(agent.name()).render(date(), memory.snapshot());
    }

    private String date() {
        long millis = clock.millis();
        long day = Math.floorDiv(millis, 86_400_000L);
        DatedString d = today;
        if (d.day() != day) {
            d = new DatedString(day, LocalDate.ofEpochDay(day).toString());
            today = d;
        }
        return d.text();
    }

    /** A message id: random, unique within a session's history for all practical purposes, cheap to make. */
    static String newId() {
        return "m-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }
}
