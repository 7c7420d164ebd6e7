package dev.switchboard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.config.SwarmFileLoader;
import dev.switchboard.config.SwarmSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compose file and Dockerfiles on paper: the structure compose acts on, and the paths and
 * commands they name exist in the repository. ComposeIT runs them with a real Docker engine.
 */
class DeployFilesTest {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    /** Read with SnakeYAML, which resolves the {@code <<} merge keys the way compose does. */
    private JsonNode compose() throws Exception {
        Object tree = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of("deploy/docker-compose.yaml")));
        return yaml.valueToTree(tree);
    }

    @Test
    void compose_runs_redis_with_aof_five_replicas_nginx_and_an_optional_ollama() throws Exception {
        JsonNode services = compose().path("services");
        String redis = services.path("redis").path("command").toString();
        assertTrue(redis.contains("--appendonly yes") && redis.contains("requirepass") && redis.contains("noeviction"), redis);
        assertEquals("deploy/Dockerfile.jvm", services.path("keys").path("build").path("dockerfile").asText(), "the app image is built once");
        for (int i = 1; i <= 5; i++) {
            JsonNode r = services.path("replica-" + i);
            assertEquals("switchboard:jvm", r.path("image").asText(), "replica-" + i + " (YAML merge)");
            assertTrue(r.path("healthcheck").path("test").toString().contains("dev.switchboard.ops.ReadyProbe"), "no /dev/tcp in sh");
            assertEquals("redis://redis:6379", r.path("environment").path("REDIS_URL").asText());
            assertEquals("replica-" + i, r.path("environment").path("SB_REPLICA_ID").asText());
            assertEquals("service_healthy", services.path("nginx").path("depends_on").path("replica-" + i).path("condition").asText());
        }
        assertEquals("ollama", services.path("ollama").path("profiles").get(0).asText());
        List<String> volumes = yaml.convertValue(services.path("nginx").path("volumes"), List.class);
        assertTrue(volumes.contains("../nginx/nginx.conf:/etc/nginx/nginx.conf:ro"), "nginx uses the bundled config");
        assertTrue(volumes.contains("./nginx-upstream.conf:/etc/nginx/upstream.conf:ro"));
        for (String v : volumes) {
            assertTrue(Files.exists(Path.of("deploy").resolve(v.split(":")[0])), v);
        }
    }

    @Test
    void the_compose_upstream_names_the_replica_services() throws Exception {
        String upstream = Files.readString(Path.of("deploy/nginx-upstream.conf"));
        Map<String, Object> services = yaml.convertValue(compose().path("services"), Map.class);
        IntStream.rangeClosed(1, 5).forEach(i -> {
            assertTrue(upstream.contains("server replica-" + i + ":8080"), "upstream replica-" + i);
            assertTrue(services.containsKey("replica-" + i));
        });
        assertTrue(upstream.contains("least_conn;"));
    }

    @Test
    void the_compose_swarm_is_the_default_swarm_on_the_sim_service() throws Exception {
        SwarmFileLoader loader = new SwarmFileLoader(k -> "set");
        SwarmSpec local = loader.load(Path.of("config/swarm.yaml"));
        SwarmSpec compose = loader.load(Path.of("deploy/swarm-compose.yaml"));
        assertEquals(local.agents(), compose.agents());
        for (int i = 0; i < local.backends().size(); i++) {
            assertEquals("sim", compose.backends().get(i).baseUrl().getHost());
            assertEquals(local.backends().get(i).baseUrl().getPort(), compose.backends().get(i).baseUrl().getPort());
        }
        loader.load(Path.of("deploy/swarm-compose-ollama.yaml"));
        assertTrue(compose().path("services").path("sim").path("entrypoint").toString().contains("dev.switchboard.sim.SimulatorMain"));
    }

    /**
     * bin/up, the image's entrypoint and the PM2 file each start replicas, in bash, sh and node: the
     * JIT policies' flags are written in each, and this keeps the three copies the same.
     */
    @Test
    void the_jit_policies_have_the_same_flags_in_bin_up_the_image_and_pm2() throws Exception {
        String lib = Files.readString(Path.of("bin/lib.sh"));
        String entrypoint = Files.readString(Path.of("deploy/entrypoint.sh"));
        String pm2 = Files.readString(Path.of("pm2/ecosystem.config.cjs"));
        for (String policy : List.of("QUICK", "FULL")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("JIT_" + policy + "=\"([^\"]+)\"").matcher(lib);
            assertTrue(m.find(), "bin/lib.sh sets JIT_" + policy);
            String flags = m.group(1);
            String name = policy.toLowerCase(java.util.Locale.ROOT);
            assertTrue(entrypoint.contains(name + ") jit_opts=\"" + flags + "\""), "entrypoint.sh's " + name + ": " + flags);
            assertTrue(pm2.contains(name + ": '" + flags + "'"), "the PM2 file's " + name + ": " + flags);
        }
    }

    @Test
    void the_dockerfiles_build_in_stages_and_run_java_as_pid_1() throws Exception {
        String jvm = Files.readString(Path.of("deploy/Dockerfile.jvm"));
        assertTrue(jvm.contains("AS build"));
        assertTrue(jvm.contains("COPY --from=build /src/target/quarkus-app/ /app/"));
        assertTrue(jvm.contains("ARG SB_JRE_IMAGE=eclipse-temurin:25-jre") && jvm.contains("FROM ${SB_JRE_IMAGE}"), "the runtime is a build argument");
        assertTrue(jvm.contains("ENTRYPOINT [\"/app/entrypoint.sh\"]") && jvm.contains("USER 1001"));
        assertTrue(Files.readString(Path.of("deploy/entrypoint.sh")).contains("exec java $JAVA_OPTS $jit_opts $aot -jar /app/quarkus-run.jar"));
        String nat = Files.readString(Path.of("deploy/Dockerfile.native"));
        assertTrue(nat.contains("ubi-quarkus-mandrel-builder-image"), "Mandrel builder stage");
        assertTrue(nat.contains("-Dquarkus.native.sources-only=true"), "the same step CI checks");
        assertTrue(nat.contains("native-image $(cat native-image.args)"));
        for (String df : new String[]{jvm, nat}) {
            for (String line : df.lines().filter(l -> l.startsWith("COPY ") && !l.contains("--from")).toList()) {
                String src = line.split("\\s+")[1];
                assertTrue(Files.exists(Path.of(src)), "COPY source exists: " + src);
            }
        }
    }
}
