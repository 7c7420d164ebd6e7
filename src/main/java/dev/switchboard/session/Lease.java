package dev.switchboard.session;

/**
 * The right to run one turn of a session. {@code fence} grows with every turn of the session;
 * a commit is refused when a newer turn has begun, so a turn whose lease expired cannot write
 * over its successor. {@code budgets} are what the turn counts against: the ones it was admitted
 * by, settled by its commit or release.
 */
public record Lease(String clientId, long fence, String value, BudgetArgs budgets) {
}
