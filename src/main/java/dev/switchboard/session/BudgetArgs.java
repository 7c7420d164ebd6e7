package dev.switchboard.session;

import dev.switchboard.config.BudgetSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The budgets one session's scripts count against, as the scripts take them: their keys (after the
 * session's own) and, in the same order, {@code n, tokens1, per1, tokens2, per2, …}. The session's
 * own budget shares its hash tag; a group's key is its own ({@code sb:budget:{prefix}}), which is
 * why group budgets need one Redis primary (a Cluster refuses a script across slots).
 *
 * @param names what each budget is called to a client: {@code session} or {@code group:<prefix>}
 */
public record BudgetArgs(List<String> keys, List<String> argv, List<String> names) {
    public static final BudgetArgs NONE = new BudgetArgs(List.of(), List.of("0"), List.of());

    public static BudgetArgs of(BudgetSpec spec, String clientId) {
        if (spec.isEmpty()) {
            return NONE;
        }
        List<String> keys = new ArrayList<>(2);
        List<String> names = new ArrayList<>(2);
        List<String> argv = new ArrayList<>(5);
        argv.add("0");
        spec.session().ifPresent(a -> {
            keys.add("sb:{" + clientId + "}:budget");
            names.add("session");
            argv.add(String.valueOf(a.tokens()));
            argv.add(String.valueOf(a.per().toMillis()));
        });
        for (BudgetSpec.Group g : spec.groupsOf(clientId)) {
            keys.add(groupKey(g.prefix()));
            names.add("group:" + g.prefix());
            argv.add(String.valueOf(g.allowance().tokens()));
            argv.add(String.valueOf(g.allowance().per().toMillis()));
        }
        argv.set(0, String.valueOf(keys.size()));
        return new BudgetArgs(List.copyOf(keys), List.copyOf(argv), List.copyOf(names));
    }

    public static String groupKey(String prefix) {
        return "sb:budget:{" + prefix + "}";
    }

    /** The budgets' tokens and window, in order, as {@code read_budgets.lua} reports them back. */
    long tokens(int i) {
        return Long.parseLong(argv.get(1 + 2 * i));
    }
}
