package dev.switchboard.swarm;

import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.llm.Cancellation;
import dev.switchboard.llm.UsageMeter;
import dev.switchboard.trace.TurnTrace;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import dev.switchboard.swarm.tools.ToolRegistry;
import jakarta.inject.Singleton;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
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
    private final SystemPrompts prompts;
    private final int callBound;

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
        this.prompts = new SystemPrompts(spec, replica, navigation, clock);
        int maxTools = spec.agents().stream().mapToInt(AgentSpec::maxToolCalls).max().orElse(0);
        this.callBound = 2 + spec.swarm().maxHandoffsPerTurn() + spec.swarm().rescueAttempts()
                + maxTools * (spec.swarm().maxHandoffsPerTurn() + 1);
    }

    /** What the agent loop produced: the answer, the messages to append, the state to save. */
    /** @param resumed how many times a broken stream of this turn went on at another backend */
    public record Outcome(String text, String agent, List<HistoryMessage> messages, SessionState state, int resumed) {
    }

    /**
     * How a turn runs: streamed or not, the handle that cancels it, the meter its completions' cost
     * is added to (one per turn: the commit stores it, a failed turn's release too), the span its
     * work hangs under ({@link ChatService} starts it), and the client's trace it continues, if any.
     */
    public record TurnOptions(boolean stream, Cancellation cancel, UsageMeter meter, TurnTrace trace, String traceparent) {
        public TurnOptions(boolean stream, Cancellation cancel) {
            this(stream, cancel, null);
        }

        /** @param traceparent the client's W3C trace context for the turn, or null */
        public TurnOptions(boolean stream, Cancellation cancel, String traceparent) {
            this(stream, cancel, new UsageMeter(), TurnTrace.NONE, traceparent);
        }

        /** The same turn, traced under {@code trace}. */
        TurnOptions traced(TurnTrace trace) {
            return new TurnOptions(stream, cancel, meter, trace, traceparent);
        }

        public static TurnOptions plain() {
            return new TurnOptions(false, null);
        }

        /** True once the client stopped this turn (a turn without a handle cannot be stopped). */
        public boolean cancelled() {
            return cancel != null && cancel.isCancelled();
        }
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
        return run(clientId, state, history, userMessage, listener, TurnOptions.plain());
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
        return Uni.createFrom().deferred(() -> new TurnLoop(this, clientId, state, history, userMessage, listener, options).step(0, null));
    }

    // what a TurnLoop works with
    SwarmSpec spec() {
        return spec;
    }

    BackendPool pool() {
        return pool;
    }

    Navigation navigation() {
        return navigation;
    }

    ToolRunner tools() {
        return tools;
    }

    SystemPrompts prompts() {
        return prompts;
    }

    Clock clock() {
        return clock;
    }

    int callBound() {
        return callBound;
    }

    /** A message id: random, unique within a session's history for all practical purposes, cheap to make. */
    static String newId() {
        return "m-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }
}
