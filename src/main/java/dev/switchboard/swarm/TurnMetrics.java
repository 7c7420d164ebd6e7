package dev.switchboard.swarm;

import dev.switchboard.llm.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What turns did: {@code switchboard_turns_total{outcome}} (answered, replayed, or the error code the
 * client was told), {@code switchboard_turn_duration_seconds} (admission to outcome, a histogram),
 * {@code switchboard_turns_inflight}; and tokens by agent and by budget, beside the pool's
 * per-backend {@code switchboard_backend_tokens}:
 * {@code switchboard_turn_tokens_total{agent,direction}} (a turn's completions, counted to the
 * agent that answered), {@code switchboard_budget_tokens_total{budget}} and
 * {@code switchboard_budget_refused_total{budget}} (turns refused because a budget was spent).
 * Budget names come from the swarm file ({@code session}, {@code group:<prefix>}), so the label
 * set is bounded.
 */
@Singleton
public class TurnMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter[]> byAgent = new ConcurrentHashMap<>();
    private final Map<String, Counter> byBudget = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Timer duration;

    public TurnMetrics(MeterRegistry registry, TurnAdmission admission) {
        this.registry = registry;
        this.duration = Timer.builder("switchboard.turn.duration").description("a turn, from admission to its outcome")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(300))
                .register(registry);
        Gauge.builder("switchboard.turns.inflight", admission, TurnAdmission::running)
                .description("turns admitted on this replica and not yet ended").register(registry);
    }

    /** A turn ended: {@code outcome} is {@code answered}, {@code replayed} or an error code. */
    void ended(String outcome, long nanos) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("switchboard.turns").tag("outcome", o)
                .description("turns by outcome").register(registry)).increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void spent(String agent, Usage usage, List<String> budgets) {
        if (usage.total() == 0) {
            return;
        }
        Counter[] c = byAgent.computeIfAbsent(agent == null ? "none" : agent, a -> new Counter[]{
                Counter.builder("switchboard.turn.tokens").tag("agent", a).tag("direction", "in").register(registry),
                Counter.builder("switchboard.turn.tokens").tag("agent", a).tag("direction", "out").register(registry)});
        c[0].increment(usage.input());
        c[1].increment(usage.output());
        for (String b : budgets) {
            byBudget.computeIfAbsent(b, n -> Counter.builder("switchboard.budget.tokens").tag("budget", n)
                    .description("tokens counted against a budget").register(registry)).increment(usage.total());
        }
    }

    void refused(String budget) {
        refusals.computeIfAbsent(budget, n -> Counter.builder("switchboard.budget.refused").tag("budget", n)
                .description("turns refused because the budget was spent").register(registry)).increment();
    }
}
