package dev.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs bin/up and bin/down for an end-to-end test, on the test's own ports and var directory,
 * with the end-to-end swarm (simulators on 11601-11603); output goes to {@code var/up.log}.
 */
public record StackScripts(Path var, int nginxPort, int firstReplica, int replicas, String redisUrl, Map<String, String> env) {

    public StackScripts(Path var, int nginxPort, int firstReplica, int replicas, String redisUrl) {
        this(var, nginxPort, firstReplica, replicas, redisUrl, Map.of());
    }

    public Process run(String... command) throws IOException, InterruptedException {
        Files.createDirectories(var);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(var.resolve("up.log").toFile()));
        Map<String, String> vars = pb.environment();
        vars.put("SB_VAR", var.toString());
        vars.put("SB_PORT", String.valueOf(nginxPort));
        vars.put("SB_REPLICA_BASE", String.valueOf(firstReplica));
        vars.put("SB_REPLICAS", String.valueOf(replicas));
        vars.put("REDIS_URL", redisUrl);
        vars.put("SWITCHBOARD_SWARM_FILE", new File("src/test/resources/swarm-e2e.yaml").getAbsolutePath());
        vars.putAll(this.env);
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 240 s");
        }
        return p;
    }

    /** The pid bin/up wrote for one of its processes ({@code replica-18081}, {@code redis}, {@code nginx}). */
    public long pid(String name) {
        try {
            return Long.parseLong(Files.readString(var.resolve("run/" + name + ".pid")).trim());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no pid file for " + name + " under " + var, e);
        }
    }

    /** The live process bin/up started as {@code name}. */
    public ProcessHandle process(String name) {
        return ProcessHandle.of(pid(name)).orElseThrow(() -> new AssertionError(name + " is not running"));
    }

    /** Removes a directory of an earlier run (its Redis data, say), so a stack starts empty. */
    public static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
