package dev.switchboard.testing;

import io.vertx.core.Vertx;

/** One Vert.x for the plain (non-Quarkus) tests of pools and swarms, as a replica has one. */
public final class TestVertx {
    public static final Vertx VERTX = Vertx.vertx();

    private TestVertx() {
    }
}
