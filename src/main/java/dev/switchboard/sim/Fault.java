package dev.switchboard.sim;

/**
 * A failure the simulator injects into its next answers, set with {@code POST /_sim/fault}
 * ({@code {"mode":"error","status":500,"count":3}}) or in-process with {@link Simulator#inject}.
 *
 * @param mode     none, error (answer {@code status}), hang (never answer),
 *                 cut (a stream drops its connection after {@code status} tokens, or halfway when 0; a whole
 *                 answer breaks off halfway), stall (a stream stops sending after {@code status} tokens and
 *                 keeps the connection open), garbage (answer 200 with bytes that are not JSON),
 *                 slow (add {@code status} ms before the first token), drip (a slow loris: answer 200, then a
 *                 byte of body every {@code status} ms, never ending)
 * @param status   HTTP status for {@code error}, milliseconds for {@code slow} and {@code drip}, tokens for
 *                 {@code cut} and {@code stall}
 * @param count    how many requests it applies to; negative = until cleared
 * @param fraction the share of those requests it hits, at random (1 = every one): "slow a tenth of first tokens"
 */
public record Fault(String mode, int status, int count, double fraction) {
    public static final Fault NONE = new Fault("none", 0, 0);

    public Fault(String mode, int status, int count) {
        this(mode, status, count, 1.0);
    }

    public static Fault error(int status, int count) {
        return new Fault("error", status, count);
    }
}
