package dev.switchboard.testing;

import io.vertx.core.Vertx;

/** One Vert.x for the plain (non-Quarkus) tests of pools and swarms, as a replica has one. */
public final class TestVertx {
    public static final Vertx VERTX = Vertx.vertx();

    static {
        // Outside Quarkus, Mutiny sets up SmallRye context propagation on first use, and two threads
        // doing that at once fail ("ContextManagerProvider already set"): do it once, here.
        io.smallrye.mutiny.Uni.createFrom().item(1).await().indefinitely();
    }

    private TestVertx() {
    }
}
