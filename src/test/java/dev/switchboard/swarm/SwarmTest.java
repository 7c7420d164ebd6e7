package dev.switchboard.swarm;

import dev.switchboard.config.SwarmFileLoader;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import dev.switchboard.swarm.tools.CalculatorTool;
import dev.switchboard.swarm.tools.ShopTools;
import dev.switchboard.swarm.tools.ToolRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent loop on its own (no Redis, no socket) against a simulator: bounds and rescue strategies. */
class SwarmTest {
    private Simulator sim;
    private BackendPool pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private Swarm swarm(String swarmSection) throws Exception {
        sim = Simulator.start(SimOptions.of("s", 0));
        Path file = Files.createTempFile("swarm", ".yaml");
        Files.writeString(file, """
                backends:
                  - { name: s, provider: ollama, base-url: "http://127.0.0.1:%d", model: m, serves: [chat] }
                agents:
                  - { name: triage, model: chat, system: "You are triage.", handoffs: [sales], tools: [calculator] }
                  - { name: sales, model: chat, system: "You are sales.", handoffs: [triage], tools: [catalogue_search], max-tool-calls: 2 }
                swarm:
                %s
                """.formatted(sim.port(), swarmSection));
        SwarmSpec spec = new SwarmFileLoader(k -> null).load(file);
        pool = new BackendPool(spec.backends(), spec.pool(), new SimpleMeterRegistry(), dev.switchboard.testing.TestVertx.VERTX);
        return new Swarm(spec, pool, new ReplicaIdentity(9999, "t"),
                ToolRegistry.of(new CalculatorTool(), new ShopTools()));
    }

    private static SessionState fresh() {
        return new SessionState(null, List.of(), Map.of());
    }

    private static HistoryMessage user(String text) {
        return HistoryMessage.user("u1", "triage", text, 1L);
    }

    private static final HistoryMessage EARLIER_ANSWER = HistoryMessage.assistant("a0", "triage", "an earlier answer", 0L);

    @Test
    void a_model_that_keeps_calling_tools_hits_the_bound() throws Exception {
        Swarm s = swarm("  default-agent: sales");
        TurnException e = assertThrows(TurnException.class, () -> s.run("c", fresh(), List.of(),
                user("[[sim:loop=catalogue_search {\"query\":\"mouse\"}]]"), TurnListener.NONE).await().indefinitely());
        assertEquals("agent_loop", e.code());
    }

    @Test
    void flush_answers_the_placeholder_and_keeps_the_broken_exchange_out() throws Exception {
        Swarm s = swarm("  default-agent: triage\n  rescue: flush\n  flush-message: Sorry, say again?");
        Swarm.Outcome o = s.run("c", fresh(), List.of(EARLIER_ANSWER), user("x [[sim:empty=always]]"), TurnListener.NONE).await().indefinitely();
        assertEquals("Sorry, say again?", o.text());
        assertEquals(2, o.messages().size(), "the user's message and the placeholder only");
        assertFalse(o.text().contains("earlier"), "never a stale answer from an earlier turn");
    }

    @Test
    void fail_gives_a_bad_output_error_at_once() throws Exception {
        Swarm s = swarm("  default-agent: triage\n  rescue: fail");
        TurnException e = assertThrows(TurnException.class, () -> s.run("c", fresh(), List.of(EARLIER_ANSWER),
                user("x [[sim:fragment]]"), TurnListener.NONE).await().indefinitely());
        assertEquals("bad_output", e.code());
        assertEquals(1, sim.requests(), "no second try under fail");
    }

    @Test
    void recomplete_asks_again_with_a_corrective_note() throws Exception {
        Swarm s = swarm("  default-agent: triage\n  rescue: recomplete\n  rescue-attempts: 1");
        Swarm.Outcome o = s.run("c", fresh(), List.of(), user("x [[sim:empty]]"), TurnListener.NONE).await().indefinitely();
        assertTrue(o.text().startsWith("(sim s)"), o.text());
        assertEquals(2, sim.requests());
        TurnException e = assertThrows(TurnException.class, () -> s.run("c", fresh(), List.of(),
                user("x [[sim:empty=always]]"), TurnListener.NONE).await().indefinitely());
        assertEquals("bad_output", e.code());
    }

    @Test
    void an_unknown_tool_in_the_swarm_file_stops_the_start_with_the_field() throws Exception {
        sim = Simulator.start(SimOptions.of("s", 0));
        Path file = Files.createTempFile("swarm", ".yaml");
        Files.writeString(file, """
                backends: [{ name: s, provider: ollama, base-url: "http://127.0.0.1:1", model: m, serves: [chat] }]
                agents: [{ name: a, model: chat, system: x, tools: [calculator, teleport] }]
                """);
        SwarmSpec spec = new SwarmFileLoader(k -> null).load(file);
        pool = new BackendPool(spec.backends(), spec.pool(), new SimpleMeterRegistry(), dev.switchboard.testing.TestVertx.VERTX);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Swarm(spec, pool,
                new ReplicaIdentity(1, "t"), ToolRegistry.of(new CalculatorTool())));
        assertTrue(e.getMessage().matches("(?s).*:[0-9]+: agents\\[0]\\.tools\\[1]: unknown tool 'teleport'.*"), "file and line, like every other problem: " + e.getMessage());
    }

    @Test
    void the_example_shop_swarm_loads_with_the_built_in_tools() {
        SwarmSpec spec = new SwarmFileLoader(k -> null).load(Path.of("config/swarm-shop.yaml"));
        pool = new BackendPool(spec.backends(), spec.pool(), new SimpleMeterRegistry(), dev.switchboard.testing.TestVertx.VERTX);
        ToolRegistry all = ToolRegistry.of(new CalculatorTool(), new ShopTools(), new dev.switchboard.swarm.tools.MemoryTools(),
                new dev.switchboard.swarm.tools.CurrentTimeTool());
        Swarm s = new Swarm(spec, pool, new ReplicaIdentity(1, "t"), all);
        assertEquals("triage", s.activeAgent(fresh()).name());
        assertEquals(4, spec.agents().size());
    }
}
