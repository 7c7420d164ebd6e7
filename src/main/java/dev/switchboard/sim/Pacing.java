package dev.switchboard.sim;

import java.io.IOException;
import java.util.List;

/** The pace of a simulated stream: tokens apart by the backend's delay, and the faults that break or stall it. */
final class Pacing {
    private Pacing() {
    }

    /**
     * Emits tokens {@code tokenDelay} ms apart. A {@code cut} stream drops the connection after its
     * fault's number of tokens (halfway when 0), as a dying backend does; a {@code stall} stream stops
     * sending after that many and holds the connection, as a wedged GPU does. A break at or past the
     * last token comes before the stream's final message.
     */
    static void paceTokens(List<String> tokens, long tokenDelay, Fault f, TokenSink sink) throws IOException {
        boolean cut = "cut".equals(f.mode());
        boolean stall = "stall".equals(f.mode());
        int breakAt = cut && f.status() <= 0 ? tokens.size() / 2 : (cut || stall) ? Math.min(f.status(), tokens.size()) : -1;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == breakAt) {
                if (stall) {
                    sleep(3_600_000);
                }
                throw new StreamCut();
            }
            if (i == tokens.size()) {
                break;
            }
            if (i > 0) {
                sleep(tokenDelay);
            }
            sink.accept(tokens.get(i));
        }
    }

    @FunctionalInterface
    interface TokenSink {
        void accept(String token) throws IOException;
    }

    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Thrown mid-stream to make the JDK server drop the connection, as a crashed backend would. */
    static final class StreamCut extends RuntimeException {
        StreamCut() {
            super("stream cut by an injected fault", null, false, false);
        }
    }
}
