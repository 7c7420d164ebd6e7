package dev.switchboard.session;

/**
 * What the lease key holds: {@code <replica id>~<incarnation>#<fence>}. The owner part names one
 * run of one replica (a replica restarted on the same port is another incarnation, so it never
 * vouches for its dead predecessor); the fence is the session's turn counter when the lease was
 * taken. The one place that writes and reads the format (begin_turn.lua stores it as given).
 *
 * @param replicaId   the replica's id (its port, or {@code SB_REPLICA_ID})
 * @param incarnation a random id of this run of the replica
 * @param fence       the turn's fencing token
 */
public record LeaseValue(String replicaId, String incarnation, long fence) {

    /** {@code <replica id>~<incarnation>}: the name liveness keys and leases use for one replica run. */
    public static String owner(String replicaId, String incarnation) {
        return replicaId + "~" + incarnation;
    }

    /** The owner part of this value. */
    public String owner() {
        return owner(replicaId, incarnation);
    }

    /** The value as stored in Redis. */
    public String format() {
        return format(owner(), fence);
    }

    /** The value {@code owner} stores when it takes a lease with {@code fence}. */
    public static String format(String owner, long fence) {
        return owner + "#" + fence;
    }

    /** A value as stored in Redis, or null when it is not one (a lease written by something else). */
    public static LeaseValue parse(String value) {
        if (value == null) {
            return null;
        }
        int hash = value.lastIndexOf('#');
        int tilde = value.lastIndexOf('~', hash);
        if (hash <= 0 || tilde <= 0) {
            return null;
        }
        try {
            return new LeaseValue(value.substring(0, tilde), value.substring(tilde + 1, hash), Long.parseLong(value.substring(hash + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The replica id of an owner name ({@code 8081~3fa2c1d0} → {@code 8081}), for people. */
    public static String replicaOf(String owner) {
        int tilde = owner.lastIndexOf('~');
        return tilde < 0 ? owner : owner.substring(0, tilde);
    }
}
