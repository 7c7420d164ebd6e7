package dev.switchboard.testing;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

/** Replicas of a test stack: readiness, and bringing a killed one back the way bin/up starts one. */
public final class Replicas {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Replicas() {
    }

    /** The status of {@code /q/health/ready} on a replica's own port, or -1 when nothing listens. */
    public static int readiness(int port) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Until the replica on {@code port} is ready; fails the test after {@code seconds}. */
    public static void awaitReady(int port, int seconds) {
        Awaitility.await("replica " + port + " ready").atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(100))
                .until(() -> readiness(port) == 200);
    }

    /**
     * Until one of the simulators on {@code ports} (their {@code /_sim/stats}) has a request in
     * flight: a slow turn has reached a backend, so a fault can strike it mid-turn.
     */
    public static void awaitTurnAtBackend(int... ports) {
        Awaitility.await("a turn at a simulator").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    for (int port : ports) {
                        String stats = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_sim/stats")).build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                        if (!stats.contains("\"inflight\":0")) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    /** Starts the replica on {@code port} again if its process is gone, and waits until it is ready. */
    public static void restartIfDead(StackScripts stack, int port) throws Exception {
        long pid = stack.pid("replica-" + port);
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            Process p = stack.run("bash", "-c", "source bin/lib.sh && use_java && start_replica " + port);
            if (p.exitValue() != 0) {
                throw new AssertionError("start_replica " + port + " failed");
            }
        }
        awaitReady(port, 90);
    }
}
