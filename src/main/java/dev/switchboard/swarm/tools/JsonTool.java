package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Base of the built-in tools: the schema is written as JSON text next to the code that reads it. */
abstract class JsonTool implements Tool {
    static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode parameters;

    JsonTool(String schema) {
        try {
            this.parameters = JSON.readTree(schema);
        } catch (Exception e) {
            throw new IllegalStateException("bad schema of " + getClass().getSimpleName(), e);
        }
    }

    @Override
    public JsonNode parameters() {
        return parameters;
    }
}
