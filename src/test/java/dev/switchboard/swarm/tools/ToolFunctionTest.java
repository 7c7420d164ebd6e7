package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.swarm.SessionMemory;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tool is one annotated method: its schema (with bounds) comes from its arguments record, its arguments are bound into it. */
class ToolFunctionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ToolRegistry tools = ToolRegistry.of(new ShopTools(), new MemoryTools(), new CalculatorTool(), new CurrentTimeTool());
    private final ToolContext context = new ToolContext("c", "sales", new SessionMemory(Map.of()),
            Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC));

    @Test
    void the_schema_carries_names_descriptions_bounds_and_required_arguments() throws Exception {
        assertEquals(JSON.readTree("""
                {"type":"object","additionalProperties":false,"properties":{
                  "query":{"type":"string","description":"words of a product name or a category (1 to 60 characters)","minLength":1,"maxLength":60},
                  "in_stock_only":{"type":"boolean"}},
                 "required":["query"]}"""), tools.get("catalogue_search").orElseThrow().parameters());
        assertEquals(List.of("calculator", "catalogue_search", "current_time", "order_lookup", "recall", "remember"),
                List.copyOf(tools.names()));
    }

    @Test
    void the_bounds_reach_the_model_in_the_description_its_schema_type_cannot_carry_them() {
        var spec = dev.switchboard.llm.JsonSchemas.object(tools.get("remember").orElseThrow().parameters());
        var value = (dev.langchain4j.model.chat.request.json.JsonStringSchema) spec.properties().get("value");
        assertEquals("at most 1024 characters", value.description());
        var key = (dev.langchain4j.model.chat.request.json.JsonStringSchema) spec.properties().get("key");
        assertTrue(key.description().endsWith("(1 to 40 characters)"), key.description());
    }

    @Test
    void arguments_out_of_bounds_are_refused_before_the_tool_runs() throws Exception {
        JsonNode schema = tools.get("order_lookup").orElseThrow().parameters();
        List<String> problems = ArgumentCheck.problems(schema, JSON.readTree("{\"order_id\":\"A-1\",\"extra\":1}"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.toString().contains("order_id"), problems.toString());
    }

    @Test
    void arguments_are_bound_into_the_record_and_the_method_runs() throws Exception {
        assertEquals("Remembered name.", tools.get("remember").orElseThrow()
                .execute(context, JSON.readTree("{\"key\":\"name\",\"value\":\"Ada\"}")));
        assertEquals("Ada", tools.get("recall").orElseThrow().execute(context, JSON.readTree("{\"key\":\"name\"}")));
        assertEquals("56.97", tools.get("calculator").orElseThrow().execute(context, JSON.readTree("{\"expression\":\"19.99 * 3 - 3\"}")));
        assertTrue(tools.get("catalogue_search").orElseThrow().execute(context, JSON.readTree("{\"query\":\"keyboard\",\"in_stock_only\":true}"))
                .contains("KB-01"));
        assertEquals("2026-11-29T12:00:00Z (UTC)", tools.get("current_time").orElseThrow().execute(context, JSON.readTree("{}")));
    }

    @Test
    void a_tools_own_refusal_reaches_the_runner_as_a_tool_exception() throws Exception {
        ToolException e = assertThrows(ToolException.class, () -> tools.get("order_lookup").orElseThrow()
                .execute(context, JSON.readTree("{\"order_id\":\"B-12345\"}")));
        assertEquals("order ids look like A-10042", e.getMessage());
    }
}
