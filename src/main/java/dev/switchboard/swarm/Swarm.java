package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSettings;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.llm.Cancellation;
import dev.switchboard.llm.LlmException;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import dev.switchboard.swarm.tools.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The agents of the swarm file and the agent loop of one turn: prompt the active agent, run the
 * tools it calls, follow its navigation (the new agent answers in the same turn), rescue bad
 * output, stop at a text answer. Knows nothing of Redis: it gets the session's state and history
 * window and returns what to store.
 */
@ApplicationScoped
public class Swarm {
    private final SwarmSpec spec;
    private final BackendPool pool;
    private final ReplicaIdentity replica;
    private final Navigation navigation;
    private final ToolRunner tools;
    private final Clock clock;

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
    }

    /** What the agent loop produced: the answer, the messages to append, the state to save. */
    public record Outcome(String text, String agent, List<HistoryMessage> messages, SessionState state) {
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

    public Outcome run(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
                       TurnListener listener) {
        return run(clientId, state, history, userMessage, listener, TurnOptions.PLAIN);
    }

    /**
     * Runs the agent loop for one user message.
     *
     * @param history     the session's newest stored messages, oldest first
     * @param userMessage the user's message, already shaped as it will be stored
     * @throws TurnException with the client's error code; nothing of the turn is to be stored
     */
    public Outcome run(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
                       TurnListener listener, TurnOptions options) {
        Turn t = new Turn(clientId, state, history, userMessage, listener, options);
        return t.run();
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

        Outcome run() {
            String correction = null;
            for (int calls = 0; calls < callBound(); calls++) {
                if (options.cancel() != null && options.cancel().isCancelled()) {
                    throw new TurnException("cancelled", "the turn was cancelled");
                }
                AiMessage ai = complete(correction);
                correction = null;
                String bad = BadOutput.problem(ai);
                if (bad != null) {
                    switch (spec.swarm().rescue()) {
                        case RECOMPLETE -> {
                            if (rescues++ < spec.swarm().rescueAttempts()) {
                                correction = "Your previous reply was " + bad + ". Reply to the user in plain text, "
                                        + "or call one of your tools with valid JSON arguments.";
                                continue;
                            }
                            throw new TurnException("bad_output", "agent " + agent.name() + " gave " + bad
                                    + " " + (rescues) + " times; nothing was stored, you may resend");
                        }
                        case FLUSH -> {
                            return flushed();
                        }
                        case FAIL -> throw new TurnException("bad_output", "agent " + agent.name() + " gave " + bad
                                + "; nothing was stored, you may resend");
                    }
                }
                long now = clock.millis();
                if (!ai.hasToolExecutionRequests()) {
                    String text = ai.text().strip();
                    stored.add(HistoryMessage.assistant(newId(), agent.name(), text, now));
                    return new Outcome(text, agent.name(), stored, new SessionState(agent.name(), stack, memory.snapshot()));
                }
                followToolCalls(ai, now);
            }
            throw new TurnException("agent_loop", "agent " + agent.name() + " did not answer within the tool-call bound");
        }

        private int callBound() {
            int maxTools = spec.agents().stream().mapToInt(AgentSpec::maxToolCalls).max().orElse(0);
            return 2 + spec.swarm().maxHandoffsPerTurn() + spec.swarm().rescueAttempts()
                    + maxTools * (spec.swarm().maxHandoffsPerTurn() + 1);
        }

        private AiMessage complete(String correction) {
            List<ChatMessage> messages = new ArrayList<>(ContextWindow.build(systemPrompt(agent, memory), agent.name(),
                    agent.keepMessages(), context));
            if (correction != null) {
                messages.add(SystemMessage.from(correction));
            }
            List<ToolSpecification> offered = new ArrayList<>(navigation.toolsOf(agent.name(), stack));
            offered.addAll(tools.specsOf(agent));
            ChatRequest request = ChatRequest.builder().messages(messages).toolSpecifications(offered).build();
            try {
                return pool.chat(agent.model(), clientId, request, options.stream() ? listener::token : null,
                        options.cancel()).aiMessage();
            } catch (LlmException e) {
                throw new TurnException(e.code(), e.getMessage(), e);
            }
        }

        private void followToolCalls(AiMessage ai, long now) {
            HistoryMessage call = new HistoryMessage(newId(), HistoryMessage.ASSISTANT, agent.name(),
                    ai.text() == null ? "" : ai.text(), now,
                    ai.toolExecutionRequests().stream()
                            .map(r -> new HistoryMessage.ToolCall(r.id() == null || r.id().isBlank() ? newId() : r.id(),
                                    r.name(), r.arguments()))
                            .toList(), null, null);
            stored.add(call);
            context.add(call);
            AgentSpec next = null;
            for (int i = 0; i < ai.toolExecutionRequests().size(); i++) {
                ToolExecutionRequest r = ai.toolExecutionRequests().get(i);
                String result;
                Navigation.Move move = navigation.move(agent, r.name(), stack);
                if (move != null) {
                    result = next != null ? "Ignored: this reply already changed the agent." : navigate(move);
                    if (next == null && move.target() != null && result.startsWith("Transferred")) {
                        next = move.target();
                    }
                } else {
                    int used = toolCalls.merge(agent.name(), 1, Integer::sum);
                    result = used > agent.maxToolCalls()
                            ? "Error: the tool-call limit of this turn (" + agent.maxToolCalls() + ") is reached. Answer the user now."
                            : tools.run(agent, r, clientId, memory);
                }
                HistoryMessage toolResult = new HistoryMessage(newId(), HistoryMessage.TOOL, agent.name(), result, now,
                        List.of(), call.toolCalls().get(i).id(), r.name());
                stored.add(toolResult);
                context.add(toolResult);
            }
            if (next != null) {
                listener.agentChanged(agent.name(), next.name());
                agent = next;
                visited.add(next.name());
            }
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
            return new Outcome(text, original.name(), kept, start);
        }
    }

    private String systemPrompt(AgentSpec agent, SessionMemory memory) {
        Map<String, String> values = new HashMap<>();
        values.put("port", String.valueOf(replica.port()));
        values.put("replica", replica.id());
        values.put("agent", agent.name());
        values.put("date", LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString());
        values.put("handoffs", navigation.describeHandoffs(agent));
        return PromptRenderer.render(agent.system(), values, memory.snapshot());
    }

    static String newId() {
        return "m-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** The swarm settings in use, for the socket's frames. */
    public SwarmSettings settings() {
        return spec.swarm();
    }
}
