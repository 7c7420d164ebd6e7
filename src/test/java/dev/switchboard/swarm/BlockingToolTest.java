package dev.switchboard.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.SwarmFileLoader;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.BackendPool;
import dev.switchboard.session.HistoryMessage;
import dev.switchboard.session.ReplicaIdentity;
import dev.switchboard.session.SessionState;
import dev.switchboard.sim.SimOptions;
import dev.switchboard.sim.Simulator;
import dev.switchboard.swarm.tools.Tool;
import dev.switchboard.swarm.tools.ToolContext;
import dev.switchboard.swarm.tools.ToolRegistry;
import dev.switchboard.testing.TestVertx;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tool that blocks leaves the event loop for a virtual thread, and the turn comes back to its loop after it. */
class BlockingToolTest {
    private Simulator sim;
    private BackendPool pool;

    /** Stands for a tool that calls a slow API: it blocks, and says so. */
    static final class SlowLookup implements Tool {
        volatile Thread ranOn;

        @Override
        public String name() {
            return "slow_lookup";
        }

        @Override
        public String description() {
            return "Looks something up in a slow system.";
        }

        @Override
        public JsonNode parameters() {
            return new ObjectMapper().createObjectNode().put("type", "object");
        }

        @Override
        public String execute(ToolContext context, JsonNode args) {
            ranOn = Thread.currentThread();
            try {
                Thread.sleep(50); // the blocking call this tool stands for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "found it";
        }

        @Override
        public boolean blocking() {
            return true;
        }
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void a_blocking_tool_runs_on_a_virtual_thread_and_the_turn_resumes_on_its_event_loop() throws Exception {
        sim = Simulator.start(SimOptions.of("s", 0));
        Path file = Files.createTempFile("swarm", ".yaml");
        Files.writeString(file, """
                backends: [{ name: s, provider: ollama, base-url: "http://127.0.0.1:%d", model: m, serves: [chat] }]
                agents: [{ name: triage, model: chat, system: "You are triage.", tools: [slow_lookup] }]
                """.formatted(sim.port()));
        SwarmSpec spec = new SwarmFileLoader(k -> null).load(file);
        pool = new BackendPool(spec.backends(), spec.pool(), new SimpleMeterRegistry(), TestVertx.VERTX);
        SlowLookup tool = new SlowLookup();
        Swarm swarm = new Swarm(spec, pool, new ReplicaIdentity(1, "t"), ToolRegistry.of(tool));

        Context loop = TestVertx.VERTX.getOrCreateContext();
        CompletableFuture<Thread> loopThread = new CompletableFuture<>();
        CompletableFuture<Thread> endedOn = new CompletableFuture<>();
        CompletableFuture<Swarm.Outcome> outcome = new CompletableFuture<>();
        loop.runOnContext(v -> {
            loopThread.complete(Thread.currentThread());
            swarm.run("c", new SessionState(null, List.of(), Map.of()), List.of(),
                    HistoryMessage.user("u1", "triage", "look it up [[sim:tool=slow_lookup {}]]", 1L), TurnListener.NONE)
                    .subscribe().with(o -> {
                        endedOn.complete(Thread.currentThread());
                        outcome.complete(o);
                    }, outcome::completeExceptionally);
        });

        Swarm.Outcome o = outcome.get(10, TimeUnit.SECONDS);
        assertTrue(o.text().contains("found it"), "the answer quotes the tool's result: " + o.text());
        assertTrue(tool.ranOn.isVirtual(), "the tool ran on a virtual thread, not " + tool.ranOn);
        assertEquals(loopThread.get(), endedOn.get(1, TimeUnit.SECONDS), "the turn came back to its event loop");
    }
}
