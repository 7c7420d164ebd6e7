package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwarmFileLoaderTest {
    private static final String VALID = """
            backends:
              - name: gpu-1
                provider: ollama
                base-url: http://10.0.1.10:11434
                model: llama3.1:8b
                serves: [chat]
              - name: openai
                provider: openai
                base-url: https://api.openai.com/v1
                api-key: ${OPENAI_API_KEY}
                model: gpt-4o-mini
                serves: [chat, chat-large]
              - name: exo
                provider: exo
                base-url: http://10.0.1.30
                model: llama-3.2-3b
            pool:
              fallbacks: { chat-large: [chat] }
            agents:
              - name: triage
                model: chat
                system: "You are triage."
                handoffs: [sales]
              - name: sales
                model: chat-large
                system: "You are sales."
                keep-messages: 30
            swarm:
              default-agent: triage
              idle-timeout: 15m
            """;

    private final SwarmFileLoader loader = new SwarmFileLoader(Map.of("OPENAI_API_KEY", "sk-test")::get);

    @Test
    void a_valid_file_gets_its_values_and_the_documented_defaults() {
        SwarmSpec spec = loader.parse("swarm.yaml", VALID);
        assertEquals(3, spec.backends().size());
        assertEquals("sk-test", spec.backends().get(1).apiKey().orElseThrow());
        assertFalse(spec.backends().get(1).toString().contains("sk-test"), "secrets stay out of toString");
        assertEquals(52415, spec.backends().get(2).baseUrl().getPort(), "exo's default port");
        assertEquals("http://10.0.1.30:52415/v1", spec.backends().get(2).openAiBaseUrl());
        assertEquals(4, spec.backends().get(0).maxConcurrent());
        assertEquals("least-inflight", spec.pool().strategy());
        assertEquals(2, spec.pool().retries());
        assertEquals(Duration.ofSeconds(30), spec.pool().queueTimeout());
        assertEquals(15, spec.agent("triage").orElseThrow().keepMessages());
        assertEquals(30, spec.widestWindow());
        assertEquals(Duration.ofHours(24), spec.swarm().historyTtl());
        assertEquals(3, spec.swarm().maxHandoffsPerTurn());
    }

    @Test
    void pool_round_two_fields_have_defaults_and_take_their_forms() {
        PoolSpec d = loader.parse("s.yaml", VALID).pool();
        assertTrue(d.resumeMidStream());
        assertEquals(1, d.maxResumes());
        assertEquals(Duration.ofSeconds(20), d.stallTimeout());
        assertFalse(d.hedgeAfter().enabled());
        for (var form : Map.of("off", "off", "false", "off", "p95", "p95", "800ms", "800ms", "2s", "2000ms").entrySet()) {
            PoolSpec p = loader.parse("s.yaml", VALID.replace("pool:\n", "pool:\n  hedge-after: " + form.getKey() + "\n")).pool();
            assertEquals(form.getValue(), p.hedgeAfter().toString(), form.getKey());
        }
        PoolSpec set = loader.parse("s.yaml", VALID.replace("pool:\n",
                "pool:\n  resume-mid-stream: false\n  max-resumes: 3\n  stall-timeout: 5s\n")).pool();
        assertFalse(set.resumeMidStream());
        assertEquals(3, set.maxResumes());
        assertEquals(Duration.ofSeconds(5), set.stallTimeout());
        SwarmFileException e = assertThrows(SwarmFileException.class,
                () -> loader.parse("s.yaml", VALID.replace("pool:\n", "pool:\n  hedge-after: p0\n")));
        assertTrue(e.getMessage().contains("pool.hedge-after: 'p0': a percentile is p1 to p99"), e.getMessage());
    }

    @Test
    void an_openai_compatible_local_server_needs_no_key_but_api_openai_com_does() {
        String local = VALID.replace("base-url: https://api.openai.com/v1\n    api-key: ${OPENAI_API_KEY}", "base-url: http://127.0.0.1:8000/v1");
        assertTrue(loader.parse("s.yaml", local).backends().get(1).apiKey().isEmpty(), "vLLM, llama.cpp, LM Studio: no key");
        String keyless = VALID.replace("    api-key: ${OPENAI_API_KEY}\n", "");
        SwarmFileException e = assertThrows(SwarmFileException.class, () -> loader.parse("s.yaml", keyless));
        assertTrue(e.getMessage().contains("backends[1].api-key: api.openai.com needs an api-key"), e.getMessage());
    }

    @Test
    void the_shipped_swarm_files_are_valid() {
        SwarmFileLoader withKey = new SwarmFileLoader(k -> "set");
        for (String f : new String[]{"config/swarm.yaml", "config/swarm-ollama.yaml", "config/swarm-openai.yaml"}) {
            SwarmSpec spec = withKey.load(Path.of(f));
            assertFalse(spec.agents().isEmpty(), f);
        }
        assertEquals(3, withKey.load(Path.of("config/swarm.yaml")).backends().stream()
                .filter(b -> b.simulate().isPresent()).count(), "the default swarm runs on three simulators");
    }

    @Test
    void an_unknown_handoff_names_the_file_the_line_and_the_field() {
        String bad = VALID.replace("handoffs: [sales]", "handoffs: [sales, billing]");
        SwarmFileException e = assertThrows(SwarmFileException.class, () -> loader.parse("conf/my-swarm.yaml", bad));
        assertTrue(e.getMessage().contains("conf/my-swarm.yaml:23: agents[0].handoffs[1]: unknown agent 'billing'"), e.getMessage());
    }

    @Test
    void every_problem_is_reported_at_once() {
        String bad = VALID
                .replace("base-url: http://10.0.1.10:11434", "base-url: ftp//nowhere")
                .replace("provider: exo", "provider: vllm")
                .replace("keep-messages: 30", "keep-mesages: 30")
                .replace("idle-timeout: 15m", "idle-timeout: soon")
                .replace("model: chat-large", "model: chat-huge");
        SwarmFileException e = assertThrows(SwarmFileException.class, () -> loader.parse("s.yaml", bad));
        String m = e.getMessage();
        assertTrue(m.contains("s.yaml:4: backends[0].base-url: 'ftp//nowhere' is not an http(s) URL"), m);
        assertTrue(m.contains("backends[2].provider: unknown provider 'vllm'"), m);
        assertTrue(m.contains("agents[1].keep-mesages: unknown field"), m);
        assertTrue(m.contains("swarm.idle-timeout: 'soon' is not a duration"), m);
        assertTrue(m.contains("agents[1].model: no backend serves the model alias 'chat-huge'"), m);
        assertTrue(m.contains("(5 problems)"), m);
    }

    @Test
    void a_missing_secret_is_an_error_that_does_not_print_other_values() {
        SwarmFileLoader noEnv = new SwarmFileLoader(k -> null);
        SwarmFileException e = assertThrows(SwarmFileException.class, () -> noEnv.parse("s.yaml", VALID));
        assertTrue(e.getMessage().contains("s.yaml:10: backends[1].api-key: environment variable OPENAI_API_KEY is not set"), e.getMessage());
    }

    @Test
    void broken_yaml_names_the_line() {
        SwarmFileException e = assertThrows(SwarmFileException.class,
                () -> loader.parse("s.yaml", "backends:\n  - name: [unclosed\n"));
        assertTrue(e.getMessage().startsWith("s.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void durations_take_the_short_syntax() {
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(15), Durations.parse("15m"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("15 minutes"));
    }

    private static final String SMALL = """
            backends:
              - name: a
                provider: ollama
                base-url: ${A_URL}
                model: m
                serves: ["${ALIAS}"]
                max-concurrent: ${A_MAX}
                backup: ${A_BACKUP}
                timeout: ${A_TIMEOUT}
            pool:
              bounded-load: ${LOAD:-1.5}
              resume-mid-stream: ${RESUME}
              hedge-after: ${HEDGE}
            agents:
              - { name: t, model: chat, system: hi }
            swarm: { default-agent: t }
            """;

    @Test
    void env_references_resolve_in_every_kind_of_value() {
        Map<String, String> env = Map.of("A_URL", "http://10.0.0.9:11434", "ALIAS", "chat", "A_MAX", "7", "A_BACKUP", "true",
                "A_TIMEOUT", "45s", "RESUME", "false", "HEDGE", "p95");
        SwarmSpec spec = new SwarmFileLoader(env::get).parse("e.yaml", SMALL);
        var b = spec.backends().get(0);
        assertEquals(7, b.maxConcurrent());
        assertTrue(b.backup());
        assertEquals(Duration.ofSeconds(45), b.timeout());
        assertEquals(List.of("chat"), b.serves());
        assertEquals(1.5, spec.pool().boundedLoad());
        assertFalse(spec.pool().resumeMidStream());
        assertEquals(HedgeAfter.parse("p95"), spec.pool().hedgeAfter());
    }

    @Test
    void booleans_are_strict_and_numbers_from_the_environment_are_checked() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("A_URL", "http://10.0.0.9:11434", "ALIAS", "chat", "A_MAX", "seven",
                "A_BACKUP", "ture", "A_TIMEOUT", "45s", "RESUME", "yes please", "HEDGE", "off"));
        SwarmFileException e = assertThrows(SwarmFileException.class, () -> new SwarmFileLoader(env::get).parse("e.yaml", SMALL));
        String m = e.getMessage();
        assertTrue(m.contains("backends[0].backup: must be true or false, not 'ture'"), m);
        assertTrue(m.contains("backends[0].max-concurrent: must be a whole number, not 'seven'"), m);
        assertTrue(m.contains("pool.resume-mid-stream: must be true or false"), m);
        SwarmFileException literal = assertThrows(SwarmFileException.class, () -> loader.parse("l.yaml",
                SMALL.replace("${A_BACKUP}", "ture").replace("${A_URL}", "http://h:1").replace("${ALIAS}", "chat")
                        .replace("${A_MAX}", "2").replace("${A_TIMEOUT}", "1s").replace("${RESUME}", "true").replace("${HEDGE}", "off")));
        assertTrue(literal.getMessage().contains("backends[0].backup: must be true or false, not 'ture'"), literal.getMessage());
    }
}
