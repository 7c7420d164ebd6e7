package dev.switchboard.sim;

/**
 * A failure the simulator injects into its next answers, set with {@code POST /_sim/fault}
 * ({@code {"mode":"error","status":500,"count":3}}) or in-process with {@link Simulator#inject}.
 *
 * @param mode   none, error (answer {@code status}), hang (never answer), cut (stream some tokens, or half of a whole answer, then drop the connection),
 *               garbage (answer 200 with bytes that are not JSON), slow (add {@code status} ms before the first token),
 *               drip (a slow loris: answer 200, then a byte of body every {@code status} ms, never ending)
 * @param status HTTP status for {@code error}, extra milliseconds for {@code slow}
 * @param count  how many requests it applies to; negative = until cleared
 */
public record Fault(String mode, int status, int count) {
    public static final Fault NONE = new Fault("none", 0, 0);

    public static Fault error(int status, int count) {
        return new Fault("error", status, count);
    }
}
