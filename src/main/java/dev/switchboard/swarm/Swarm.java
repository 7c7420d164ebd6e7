package dev.switchboard.swarm;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The agents of the swarm file and the agent loop of one turn: prompt the active agent, follow
 * its handoffs (the new agent answers in the same turn), stop at a text answer. Knows nothing of
 * Redis: it gets the session's state and history window and returns what to store.
 */
@ApplicationScoped
public class Swarm {
    private final SwarmSpec spec;
    private final BackendPool pool;
    private final ReplicaIdentity replica;
    private final Handoffs handoffs;

    public Swarm(SwarmSpec spec, BackendPool pool, ReplicaIdentity replica) {
        this.spec = spec;
        this.pool = pool;
        this.replica = replica;
        this.handoffs = new Handoffs(spec);
    }

    /** What the agent loop produced: the answer, the messages to append, the state to save. */
    public record Outcome(String text, String agent, List<HistoryMessage> messages, SessionState state) {
    }

    public int widestWindow() {
        return spec.widestWindow();
    }

    /** The agent a session is on; the default one for a new session or an agent since removed from config. */
    public AgentSpec activeAgent(SessionState state) {
        return Optional.ofNullable(state.activeAgent()).flatMap(spec::agent)
                .orElseGet(() -> spec.agent(spec.swarm().defaultAgent()).orElseThrow());
    }

    /**
     * Runs the agent loop for one user message.
     *
     * @param history the session's newest stored messages, oldest first
     * @param userMessage the user's message, already shaped as it will be stored
     */
    public Outcome run(String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
                       TurnListener listener) {
        AgentSpec agent = activeAgent(state);
        List<String> stack = new ArrayList<>(state.stack());
        List<HistoryMessage> turn = new ArrayList<>();
        turn.add(userMessage);
        List<HistoryMessage> context = new ArrayList<>(history);
        context.add(userMessage);
        int handoffCount = 0;
        // Each model call either answers, hands off, or gets a tool error back; bound them all.
        int callsLeft = spec.swarm().maxHandoffsPerTurn() + 3;
        while (callsLeft-- > 0) {
            ChatRequest request = ChatRequest.builder()
                    .messages(ContextWindow.build(systemPrompt(agent, state.memory()), agent.name(), agent.keepMessages(), context))
                    .toolSpecifications(tools(agent))
                    .build();
            AiMessage ai = pool.chat(agent.model(), clientId, request).aiMessage();
            long now = System.currentTimeMillis();
            if (!ai.hasToolExecutionRequests()) {
                String text = ai.text() == null ? "" : ai.text().strip();
                if (text.isEmpty()) {
                    throw new TurnException("empty_completion", "agent " + agent.name() + " gave an empty answer");
                }
                HistoryMessage answer = HistoryMessage.assistant(newId(), agent.name(), text, now);
                turn.add(answer);
                return new Outcome(text, agent.name(), turn,
                        new SessionState(agent.name(), stack, state.memory()));
            }
            HistoryMessage call = new HistoryMessage(newId(), HistoryMessage.ASSISTANT, agent.name(),
                    ai.text() == null ? "" : ai.text(), now,
                    ai.toolExecutionRequests().stream()
                            .map(r -> new HistoryMessage.ToolCall(r.id() == null ? newId() : r.id(), r.name(), r.arguments()))
                            .toList(), null, null);
            turn.add(call);
            context.add(call);
            AgentSpec next = null;
            for (int i = 0; i < ai.toolExecutionRequests().size(); i++) {
                ToolExecutionRequest r = ai.toolExecutionRequests().get(i);
                String callId = call.toolCalls().get(i).id();
                String result;
                Optional<String> target = Handoffs.target(r.name());
                if (target.isPresent() && agent.handoffs().contains(target.get()) && next == null) {
                    if (handoffCount >= spec.swarm().maxHandoffsPerTurn()) {
                        result = "Handoff refused: this turn reached its limit of handoffs. Answer the user yourself.";
                    } else {
                        next = spec.agent(target.get()).orElseThrow();
                        result = "Transferred to " + next.name() + ". The " + next.name() + " agent answers from here.";
                    }
                } else {
                    result = "Error: there is no tool named '" + r.name() + "' for agent " + agent.name() + ".";
                }
                HistoryMessage toolResult = new HistoryMessage(newId(), HistoryMessage.TOOL, agent.name(), result, now,
                        List.of(), callId, r.name());
                turn.add(toolResult);
                context.add(toolResult);
            }
            if (next != null) {
                handoffCount++;
                stack.add(agent.name());
                if (stack.size() > 16) {
                    stack.remove(0);
                }
                listener.agentChanged(agent.name(), next.name());
                agent = next;
            }
        }
        throw new TurnException("agent_loop", "agent " + agent.name() + " did not answer within the tool-call bound");
    }

    private List<ToolSpecification> tools(AgentSpec agent) {
        return handoffs.toolsOf(agent.name());
    }

    private String systemPrompt(AgentSpec agent, Map<String, String> memory) {
        Map<String, String> values = new HashMap<>();
        values.put("port", String.valueOf(replica.port()));
        values.put("replica", replica.id());
        values.put("agent", agent.name());
        values.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        values.put("handoffs", agent.handoffs().isEmpty() ? "none" : String.join(", ", agent.handoffs()));
        return PromptRenderer.render(agent.system(), values, memory);
    }

    private static String newId() {
        return "m-" + UUID.randomUUID().toString().substring(0, 13);
    }
}
