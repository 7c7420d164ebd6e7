package dev.switchboard.swarm;

import dev.switchboard.llm.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens by agent and by budget, beside the pool's per-backend {@code switchboard_backend_tokens}:
 * {@code switchboard_turn_tokens_total{agent,direction}} (a turn's completions, counted to the
 * agent that answered), {@code switchboard_budget_tokens_total{budget}} and
 * {@code switchboard_budget_refused_total{budget}} (turns refused because a budget was spent).
 * Budget names come from the swarm file ({@code session}, {@code group:<prefix>}), so the label
 * set is bounded.
 */
@Singleton
public class TokenMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter[]> byAgent = new ConcurrentHashMap<>();
    private final Map<String, Counter> byBudget = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    public TokenMetrics(MeterRegistry registry) {
        this.registry = registry;
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
