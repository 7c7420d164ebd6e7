package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks tool arguments against the JSON Schema subset tools use: type, properties, required,
 * additionalProperties, enum, minimum/maximum, minLength/maxLength, items, maxItems. Every
 * problem is listed, with its path, so the model can fix them all in one retry.
 */
public final class ArgumentCheck {
    private ArgumentCheck() {
    }

    public static List<String> problems(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "arguments", out);
        return out;
    }

    private static void check(JsonNode schema, JsonNode v, String at, List<String> out) {
        if (schema == null || schema.isEmpty()) {
            return;
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray()) {
            boolean found = false;
            for (JsonNode e : en) {
                found |= e.equals(v);
            }
            if (!found) {
                out.add(at + " must be one of " + en);
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!v.isObject()) {
                    out.add(at + " must be an object");
                    return;
                }
                JsonNode props = schema.path("properties");
                for (JsonNode r : schema.path("required")) {
                    if (!v.has(r.asText()) || v.get(r.asText()).isNull()) {
                        out.add(at + "." + r.asText() + " is required");
                    }
                }
                for (Map.Entry<String, JsonNode> f : v.properties()) {
                    if (props.has(f.getKey())) {
                        check(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), out);
                    } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
                        out.add(at + "." + f.getKey() + " is not a known argument");
                    }
                }
            }
            case "string" -> {
                if (!v.isTextual()) {
                    out.add(at + " must be a string");
                    return;
                }
                int len = v.asText().length();
                if (schema.has("minLength") && len < schema.get("minLength").asInt()) {
                    out.add(at + " must have at least " + schema.get("minLength").asInt() + " characters");
                }
                if (schema.has("maxLength") && len > schema.get("maxLength").asInt()) {
                    out.add(at + " must have at most " + schema.get("maxLength").asInt() + " characters");
                }
            }
            case "integer", "number" -> {
                if (!v.isNumber() || ("integer".equals(type) && !v.isIntegralNumber())) {
                    out.add(at + " must be " + ("integer".equals(type) ? "a whole number" : "a number"));
                    return;
                }
                if (schema.has("minimum") && v.asDouble() < schema.get("minimum").asDouble()) {
                    out.add(at + " must be at least " + schema.get("minimum"));
                }
                if (schema.has("maximum") && v.asDouble() > schema.get("maximum").asDouble()) {
                    out.add(at + " must be at most " + schema.get("maximum"));
                }
            }
            case "boolean" -> {
                if (!v.isBoolean()) {
                    out.add(at + " must be true or false");
                }
            }
            case "array" -> {
                if (!v.isArray()) {
                    out.add(at + " must be an array");
                    return;
                }
                if (schema.has("maxItems") && v.size() > schema.get("maxItems").asInt()) {
                    out.add(at + " must have at most " + schema.get("maxItems").asInt() + " items");
                }
                for (int i = 0; i < v.size(); i++) {
                    check(schema.get("items"), v.get(i), at + "[" + i + "]", out);
                }
            }
            default -> { }
        }
    }
}
