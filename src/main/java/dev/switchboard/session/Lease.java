package dev.switchboard.session;

/**
 * The right to run one turn of a session. {@code fence} grows with every turn of the session;
 * a commit is refused when a newer turn has begun, so a turn whose lease expired cannot write
 * over its successor. {@code budgets} are what the turn counts against: the ones it was admitted
 * by, settled by its commit or release.
 */
public record Lease(String clientId, long fence, String value, BudgetArgs budgets) {
    /**
     * clientId and fence name a lease already (equal leases have equal ones); the record's own hash
     * also walked the value and the budgets on every turn (2 % of a warm replica's samples, issue 26).
     */
    @Override
    public int hashCode() {
        return 31 * clientId.hashCode() + Long.hashCode(fence);
    }
}
