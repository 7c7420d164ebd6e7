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
import dev.switchboard.llm.LlmException;
import dev.switchboard.llm.TokenSink;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.SessionState;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One running turn of the agent loop, and everything it changes as it goes: the active agent, the
 * navigation stack, the session memory, the messages to store, the counts that bound it (handoffs,
 * rescues, tool calls per agent). {@link Swarm#run} makes one per user message; it lives until the
 * turn's {@link Uni} ends. Each {@link #step} is one model call and what follows from it.
 */
final class TurnLoop {
    private final Swarm swarm;
    private final String clientId;
    private final SessionState start;
    private final TurnListener listener;
    private final Swarm.TurnOptions options;
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

    /** The agent the current model reply's navigation switches to once its calls are done, or null. */
    private AgentSpec switchTo;

    TurnLoop(Swarm swarm, String clientId, SessionState state, List<HistoryMessage> history, HistoryMessage userMessage,
             TurnListener listener, Swarm.TurnOptions options) {
        this.swarm = swarm;
        this.clientId = clientId;
        this.start = state;
        this.listener = listener;
        this.options = options;
        this.memory = new SessionMemory(state.memory());
        this.stack = new ArrayList<>(state.stack());
        this.context = new ArrayList<>(history);
        this.agent = swarm.activeAgent(state);
        visited.add(agent.name());
        stored.add(userMessage);
        context.add(userMessage);
    }

    /** One model call and what follows from it; the next step is chained until a text answer. */
    Uni<Swarm.Outcome> step(int calls, String correction) {
        if (calls >= swarm.callBound()) {
            return Uni.createFrom().failure(new TurnException(ErrorCode.AGENT_LOOP,
                    "agent " + agent.name() + " did not answer within the tool-call bound"));
        }
        if (options.cancelled()) {
            return Uni.createFrom().failure(new TurnException(ErrorCode.CANCELLED, "the turn was cancelled"));
        }
        return complete(correction).flatMap(ai -> {
            String bad = BadOutput.problem(ai);
            if (bad != null) {
                switch (swarm.spec().swarm().rescue()) {
                    case RECOMPLETE -> {
                        if (rescues++ < swarm.spec().swarm().rescueAttempts()) {
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
            long now = swarm.clock().millis();
            if (!ai.hasToolExecutionRequests()) {
                String text = ai.text().strip();
                stored.add(HistoryMessage.assistant(Swarm.newId(), agent.name(), text, now));
                return Uni.createFrom().item(new Swarm.Outcome(text, agent.name(), stored,
                        new SessionState(agent.name(), stack, memory.snapshot()), resumed));
            }
            return followToolCalls(ai, now).flatMap(v -> step(calls + 1, null));
        });
    }

    private Uni<AiMessage> complete(String correction) {
        List<ChatMessage> messages = new ArrayList<>(ContextWindow.build(swarm.prompts().of(agent, memory), agent.name(),
                agent.keepMessages(), context));
        if (correction != null) {
            messages.add(SystemMessage.from(correction));
        }
        List<ToolSpecification> offered = new ArrayList<>(swarm.navigation().toolsOf(agent.name(), stack));
        offered.addAll(swarm.tools().specsOf(agent));
        ChatRequest.Builder request = ChatRequest.builder().messages(messages).toolSpecifications(offered);
        int maxTokens = outputAllowance();
        if (maxTokens == 0) {
            return Uni.createFrom().failure(new TurnException(ErrorCode.AGENT_LOOP, "agent " + agent.name()
                    + " spent its max-turn-tokens (" + agent.maxTurnTokens() + ") before answering"));
        }
        if (maxTokens > 0) {
            request.maxOutputTokens(maxTokens);
        }
        return complete(request.build());
    }

    /**
     * The {@code max_tokens} of the next completion: the agent's {@code max-tokens}, and no more than
     * what its {@code max-turn-tokens} leaves after the turn's completions so far; -1 when unbounded.
     */
    private int outputAllowance() {
        long allowance = agent.maxTokens() > 0 ? agent.maxTokens() : Long.MAX_VALUE;
        if (agent.maxTurnTokens() > 0) {
            allowance = Math.min(allowance, Math.max(0, agent.maxTurnTokens() - options.meter().total().output()));
        }
        return allowance == Long.MAX_VALUE ? -1 : (int) allowance;
    }

    private Uni<AiMessage> complete(ChatRequest request) {
        return swarm.pool().chat(agent.model(), clientId, request, options.stream() ? tokens : null, options.cancel(),
                        options.meter(), options.trace())
                .map(ChatResponse::aiMessage)
                .onFailure(LlmException.class).transform(e -> new TurnException(((LlmException) e).error(), e.getMessage(), e));
    }

    /** Runs the calls of one model reply in order; a navigation among them switches the agent after the last. */
    private Uni<Void> followToolCalls(AiMessage ai, long now) {
        HistoryMessage call = new HistoryMessage(Swarm.newId(), HistoryMessage.ASSISTANT, agent.name(),
                ai.text() == null ? "" : ai.text(), now,
                ai.toolExecutionRequests().stream()
                        .map(r -> new HistoryMessage.ToolCall(r.id() == null || r.id().isBlank() ? Swarm.newId() : r.id(),
                                r.name(), r.arguments()))
                        .toList(), null, null);
        stored.add(call);
        context.add(call);
        switchTo = null;
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < ai.toolExecutionRequests().size(); i++) {
            ToolExecutionRequest r = ai.toolExecutionRequests().get(i);
            String callId = call.toolCalls().get(i).id();
            chain = chain.flatMap(v -> result(r).map(result -> {
                HistoryMessage toolResult = new HistoryMessage(Swarm.newId(), HistoryMessage.TOOL, agent.name(), result, now,
                        List.of(), callId, r.name());
                stored.add(toolResult);
                context.add(toolResult);
                return null;
            }));
        }
        return chain.invoke(() -> {
            if (switchTo != null) {
                options.trace().event("handoff", Attributes.of(AttributeKey.stringKey("from"), agent.name(),
                        AttributeKey.stringKey("to"), switchTo.name()));
                listener.agentChanged(agent.name(), switchTo.name());
                agent = switchTo;
                visited.add(switchTo.name());
            }
        });
    }

    /** What one tool call answers: a navigation move, or a tool's result. */
    private Uni<String> result(ToolExecutionRequest r) {
        Navigation.Move move = swarm.navigation().move(agent, r.name(), stack);
        if (move != null) {
            String result = switchTo != null ? "Ignored: this reply already changed the agent." : navigate(move);
            if (switchTo == null && move.target() != null && result.startsWith("Transferred")) {
                switchTo = move.target();
            }
            return Uni.createFrom().item(result);
        }
        int used = toolCalls.merge(agent.name(), 1, Integer::sum);
        if (used > agent.maxToolCalls()) {
            return Uni.createFrom().item(
                    "Error: the tool-call limit of this turn (" + agent.maxToolCalls() + ") is reached. Answer the user now.");
        }
        Span span = options.trace().child("execute_tool " + r.name(), SpanKind.INTERNAL);
        if (span.isRecording()) {
            span.setAttribute("gen_ai.operation.name", "execute_tool");
            span.setAttribute("gen_ai.tool.name", r.name());
            span.setAttribute("gen_ai.agent.name", agent.name());
        }
        return swarm.tools().run(agent, r, clientId, memory).onTermination().invoke(span::end);
    }

    /** Applies a navigation move to the stack, or says why not; the caller switches the agent. */
    private String navigate(Navigation.Move move) {
        if (move.target() == null) {
            return "Error: " + move.refusal();
        }
        if (handoffs >= swarm.spec().swarm().maxHandoffsPerTurn()) {
            return "Handoff refused: this turn reached its limit of " + swarm.spec().swarm().maxHandoffsPerTurn()
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
    private Swarm.Outcome flushed() {
        String text = swarm.spec().swarm().flushMessage();
        AgentSpec original = swarm.activeAgent(start);
        List<HistoryMessage> kept = List.of(stored.get(0), HistoryMessage.assistant(Swarm.newId(), original.name(), text, swarm.clock().millis()));
        return new Swarm.Outcome(text, original.name(), kept, start, resumed);
    }
}
