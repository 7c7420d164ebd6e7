package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Singleton;

/** Session memory for the model: remember and recall small facts across turns and agents. */
public final class MemoryTools {
    private MemoryTools() {
    }

    @Singleton
    public static class Remember extends JsonTool {
        public Remember() {
            super("""
                    {"type":"object","additionalProperties":false,"required":["key","value"],"properties":{
                      "key":{"type":"string","minLength":1,"maxLength":40,"description":"lower-case name, e.g. name or order_id"},
                      "value":{"type":"string","maxLength":1024}}}""");
        }

        @Override
        public String name() {
            return "remember";
        }

        @Override
        public String description() {
            return "Store a fact about the user in the session memory (every agent of the session sees it).";
        }

        @Override
        public String execute(ToolContext context, JsonNode args) {
            try {
                context.memory().put(args.get("key").asText(), args.get("value").asText());
            } catch (IllegalArgumentException e) {
                throw new ToolException(e.getMessage());
            }
            return "Remembered " + args.get("key").asText() + ".";
        }
    }

    @Singleton
    public static class Recall extends JsonTool {
        public Recall() {
            super("""
                    {"type":"object","additionalProperties":false,"required":["key"],"properties":{
                      "key":{"type":"string","minLength":1,"maxLength":40}}}""");
        }

        @Override
        public String name() {
            return "recall";
        }

        @Override
        public String description() {
            return "Read a fact from the session memory by its key.";
        }

        @Override
        public String execute(ToolContext context, JsonNode args) {
            String v = context.memory().get(args.get("key").asText());
            return v == null ? "Nothing is remembered under " + args.get("key").asText() + "." : v;
        }
    }
}
