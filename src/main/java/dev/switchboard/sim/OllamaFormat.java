package dev.switchboard.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.langchain4j.model.output.TokenUsage;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/** Ollama's {@code /api/chat} answers: one JSON object, or NDJSON lines ending with {@code "done":true}. */
final class OllamaFormat {
    private OllamaFormat() {
    }

    static ObjectNode completion(String model, SimReply reply, TokenUsage usage) {
        ObjectNode root = head(model);
        ObjectNode message = root.putObject("message").put("role", "assistant").put("content", reply.text());
        if (reply.isToolCall()) {
            message.set("tool_calls", toolCalls(reply.calls()));
        }
        return done(root, usage);
    }

    static void stream(HttpExchange ex, String model, SimReply reply, TokenUsage usage, long tokenDelay, Fault fault)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (reply.isToolCall()) {
            ObjectNode line = head(model).put("done", false);
            line.putObject("message").put("role", "assistant").put("content", "").set("tool_calls", toolCalls(reply.calls()));
            SimHttp.chunk(out, line + "\n");
        } else {
            Pacing.paceTokens(reply.tokens(), tokenDelay, fault, token -> {
                ObjectNode line = head(model).put("done", false);
                line.putObject("message").put("role", "assistant").put("content", token);
                SimHttp.chunk(out, line + "\n");
            });
        }
        ObjectNode last = head(model);
        last.putObject("message").put("role", "assistant").put("content", "");
        SimHttp.chunk(out, done(last, usage) + "\n");
    }

    private static ObjectNode head(String model) {
        return SimHttp.json().createObjectNode().put("model", model).put("created_at", Instant.now().toString());
    }

    private static ObjectNode done(ObjectNode root, TokenUsage usage) {
        root.put("done_reason", "stop").put("done", true).put("total_duration", 1_000_000L).put("load_duration", 0L);
        if (usage != null) { // null: a server that reports no counts
            root.put("prompt_eval_count", usage.inputTokenCount()).put("prompt_eval_duration", 1_000L)
                    .put("eval_count", usage.outputTokenCount()).put("eval_duration", 1_000L);
        }
        return root;
    }

    private static ArrayNode toolCalls(List<SimReply.Call> calls) {
        ArrayNode array = SimHttp.array();
        for (SimReply.Call c : calls) {
            ObjectNode fn = array.addObject().putObject("function").put("name", c.name());
            try {
                fn.set("arguments", SimHttp.json().readTree(c.arguments()));
            } catch (IOException e) {
                // Ollama carries arguments as an object; a broken one is sent as a string to show the breakage
                fn.put("arguments", c.arguments());
            }
        }
        return array;
    }
}
