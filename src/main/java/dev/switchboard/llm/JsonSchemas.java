package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON Schema (as OpenAI tool definitions carry it) to LangChain4j's schema elements, which the
 * Ollama and OpenAI models turn back into their wire formats. Covers what tool schemas use:
 * object, array, string, number, integer, boolean, null, enum, anyOf, description, required.
 */
public final class JsonSchemas {
    private JsonSchemas() {
    }

    public static JsonObjectSchema object(JsonNode schema) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (schema == null || !schema.isObject()) {
            return b.build();
        }
        description(schema).ifPresent(b::description);
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            b.addProperty(p.getKey(), element(p.getValue()));
        }
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        if (!required.isEmpty()) {
            b.required(required);
        }
        if (schema.has("additionalProperties") && schema.get("additionalProperties").isBoolean()) {
            b.additionalProperties(schema.get("additionalProperties").asBoolean());
        }
        return b.build();
    }

    public static JsonSchemaElement element(JsonNode s) {
        String description = description(s).orElse(null);
        if (s.has("enum")) {
            List<String> values = new ArrayList<>();
            s.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().enumValues(values).description(description).build();
        }
        if (s.has("anyOf")) {
            List<JsonSchemaElement> any = new ArrayList<>();
            s.get("anyOf").forEach(a -> any.add(element(a)));
            return JsonAnyOfSchema.builder().anyOf(any).description(description).build();
        }
        String type = s.path("type").isArray() ? s.path("type").path(0).asText("string") : s.path("type").asText("string");
        return switch (type) {
            case "object" -> object(s);
            case "array" -> JsonArraySchema.builder().description(description)
                    .items(s.has("items") ? element(s.get("items")) : JsonStringSchema.builder().build()).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "null" -> new JsonNullSchema();
            default -> JsonStringSchema.builder().description(description).build();
        };
    }

    private static java.util.Optional<String> description(JsonNode s) {
        JsonNode d = s.get("description");
        return d != null && d.isTextual() ? java.util.Optional.of(d.asText()) : java.util.Optional.empty();
    }
}
