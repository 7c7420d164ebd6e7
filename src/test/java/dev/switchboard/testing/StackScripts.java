package dev.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs bin/up and bin/down for an end-to-end test, on the test's own ports and var directory,
 * with the end-to-end swarm (simulators on 11601-11603); output goes to {@code var/up.log}.
 */
public record StackScripts(Path var, int nginxPort, int firstReplica, int replicas, String redisUrl) {

    public Process run(String... command) throws IOException, InterruptedException {
        Files.createDirectories(var);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(var.resolve("up.log").toFile()));
        var env = pb.environment();
        env.put("SB_VAR", var.toString());
        env.put("SB_PORT", String.valueOf(nginxPort));
        env.put("SB_REPLICA_BASE", String.valueOf(firstReplica));
        env.put("SB_REPLICAS", String.valueOf(replicas));
        env.put("REDIS_URL", redisUrl);
        env.put("SWITCHBOARD_SWARM_FILE", new File("src/test/resources/swarm-e2e.yaml").getAbsolutePath());
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 240 s");
        }
        return p;
    }
}
