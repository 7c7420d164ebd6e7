package dev.switchboard.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.switchboard.config.AgentSpec;
import dev.switchboard.config.SwarmSpec;
import dev.switchboard.llm.JsonSchemas;
import dev.switchboard.swarm.tools.ArgumentCheck;
import dev.switchboard.swarm.tools.Tool;
import dev.switchboard.swarm.tools.ToolContext;
import dev.switchboard.swarm.tools.ToolException;
import dev.switchboard.swarm.tools.ToolRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the Java tools agents call. Whatever goes wrong — a tool the agent does not have, arguments
 * that are not JSON or break the schema, a tool that throws — becomes an {@code Error: …} tool
 * result the model can read and correct; a turn never fails because of a tool.
 *
 * <p>A tool runs where the turn runs, on its event loop, unless it says it {@link Tool#blocking()
 * blocks}: then it runs on a virtual thread of its own and the turn carries on, back on its event
 * loop, with the result.
 */
final class ToolRunner {
    private static final Logger LOG = Logger.getLogger(ToolRunner.class);
    private final ObjectMapper json;
    /** Where blocking tools run: a virtual thread each, so a slow API holds no platform thread. */
    private static final ExecutorService BLOCKING = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("tool-", 0).factory());

    private final ToolRegistry registry;
    private final Clock clock;
    private final Map<String, List<ToolSpecification>> specs = new HashMap<>();

    ToolRunner(SwarmSpec swarm, ToolRegistry registry, Clock clock) {
        this.json = registry.json();
        this.registry = registry;
        this.clock = clock;
        for (int i = 0; i < swarm.agents().size(); i++) {
            AgentSpec agent = swarm.agents().get(i);
            for (int k = 0; k < agent.tools().size(); k++) {
                if (registry.get(agent.tools().get(k)).isEmpty()) {
                    throw new IllegalStateException("invalid swarm file " + swarm.source() + ":\n  " + swarm.where("agents[" + i + "].tools[" + k + "]")
                            + ": unknown tool '" + agent.tools().get(k) + "' (tools: " + String.join(", ", registry.names()) + ")");
                }
            }
            specs.put(agent.name(), agent.tools().stream()
                    .map(name -> registry.get(name).orElseThrow())
                    .map(t -> ToolSpecification.builder().name(t.name()).description(t.description())
                            .parameters(JsonSchemas.object(t.parameters())).build())
                    .toList());
        }
    }

    List<ToolSpecification> specsOf(AgentSpec agent) {
        return specs.getOrDefault(agent.name(), List.of());
    }

    Uni<String> run(AgentSpec agent, ToolExecutionRequest call, String clientId, SessionMemory memory) {
        Tool tool = agent.tools().contains(call.name()) ? registry.get(call.name()).orElse(null) : null;
        if (tool == null || !tool.blocking()) {
            return Uni.createFrom().item(runHere(agent, call, clientId, memory));
        }
        Context turn = Vertx.currentContext();
        Uni<String> off = Uni.createFrom().item(() -> runHere(agent, call, clientId, memory)).runSubscriptionOn(BLOCKING);
        return turn == null ? off : off.emitOn(task -> turn.runOnContext(v -> task.run()));
    }

    private String runHere(AgentSpec agent, ToolExecutionRequest call, String clientId, SessionMemory memory) {
        if (!agent.tools().contains(call.name())) {
            return "Error: there is no tool named '" + call.name() + "' for agent " + agent.name() + ".";
        }
        Tool tool = registry.get(call.name()).orElseThrow();
        JsonNode args;
        try {
            String raw = call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
            args = json.readTree(raw);
        } catch (Exception e) {
            return "Error: the arguments of " + call.name() + " are not valid JSON. Call it again with a JSON object.";
        }
        List<String> problems = ArgumentCheck.problems(tool.parameters(), args);
        if (!problems.isEmpty()) {
            return "Error: invalid arguments for " + call.name() + ": " + String.join("; ", problems) + ".";
        }
        try {
            return tool.execute(new ToolContext(clientId, agent.name(), memory, clock), args);
        } catch (ToolException e) {
            return "Error: " + e.getMessage();
        } catch (RuntimeException e) {
            LOG.warnf(e, "tool %s failed", call.name());
            return "Error: the tool " + call.name() + " failed. Tell the user it is unavailable right now.";
        }
    }
}
