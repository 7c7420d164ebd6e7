package dev.switchboard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The swarm file's {@code budgets}: tokens a session may spend per window, and tokens shared by
 * every session whose clientId starts with a group's prefix. Windows are fixed: they start at
 * multiples of {@code per} since the Unix epoch (on Redis's clock) and the count starts over at
 * each window's end.
 *
 * @param session every session's own allowance, when set
 * @param groups  shared allowances; a session belongs to every group whose prefix its clientId starts with
 */
public record BudgetSpec(Optional<Allowance> session, List<Group> groups) {
    public static final BudgetSpec NONE = new BudgetSpec(Optional.empty(), List.of());

    public record Allowance(long tokens, Duration per) {
    }

    public record Group(String prefix, Allowance allowance) {
    }

    public boolean isEmpty() {
        return session.isEmpty() && groups.isEmpty();
    }

    /** The groups {@code clientId} belongs to, in file order. */
    public List<Group> groupsOf(String clientId) {
        List<Group> out = new ArrayList<>(1);
        for (Group g : groups) {
            if (clientId.startsWith(g.prefix())) {
                out.add(g);
            }
        }
        return out;
    }
}
