package dev.switchboard.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.UUID;

/** OpenAI's {@code /v1/chat/completions} answers: a {@code chat.completion}, or SSE {@code chat.completion.chunk}s and {@code [DONE]}. */
final class OpenAiFormat {
    private OpenAiFormat() {
    }

    static ObjectNode completion(String model, SimReply reply, int promptTokens) {
        ObjectNode root = head(model, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (reply.isToolCall()) {
            message.putNull("content");
            ArrayNode calls = message.putArray("tool_calls");
            for (SimReply.Call c : reply.calls()) {
                calls.addObject().put("id", c.id()).put("type", "function")
                        .putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        } else {
            message.put("content", reply.text());
        }
        message.putNull("refusal");
        choice.putNull("logprobs").put("finish_reason", reply.isToolCall() ? "tool_calls" : "stop");
        root.set("usage", usage(reply, promptTokens));
        return root;
    }

    static void stream(HttpExchange ex, String model, SimReply reply, int promptTokens, boolean includeUsage,
                       long tokenDelay, Fault fault) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        ObjectNode first = chunk(id, model);
        ObjectNode firstDelta = delta(first).put("role", "assistant");
        if (!reply.isToolCall()) {
            firstDelta.put("content", "");
        }
        send(out, first);
        if (reply.isToolCall()) {
            List<SimReply.Call> calls = reply.calls();
            for (int i = 0; i < calls.size(); i++) {
                SimReply.Call c = calls.get(i);
                ObjectNode start = chunk(id, model);
                ObjectNode call = delta(start).putArray("tool_calls").addObject().put("index", i).put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", "");
                send(out, start);
                ObjectNode args = chunk(id, model);
                delta(args).putArray("tool_calls").addObject().put("index", i).putObject("function").put("arguments", c.arguments());
                send(out, args);
            }
        } else {
            Pacing.paceTokens(reply.tokens(), tokenDelay, fault, token -> {
                ObjectNode c = chunk(id, model);
                delta(c).put("content", token);
                send(out, c);
            });
        }
        ObjectNode last = chunk(id, model);
        delta(last);
        ((ObjectNode) last.get("choices").get(0)).put("finish_reason", reply.isToolCall() ? "tool_calls" : "stop");
        send(out, last);
        if (includeUsage) {
            ObjectNode u = head(model, "chat.completion.chunk").put("id", id);
            u.putArray("choices");
            u.set("usage", usage(reply, promptTokens));
            send(out, u);
        }
        SimHttp.chunk(out, "data: [DONE]\n\n");
    }

    private static ObjectNode head(String model, String object) {
        return SimHttp.json().createObjectNode()
                .put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24))
                .put("object", object).put("created", System.currentTimeMillis() / 1000).put("model", model)
                .put("system_fingerprint", "fp_switchboard_sim");
    }

    private static ObjectNode chunk(String id, String model) {
        ObjectNode c = head(model, "chat.completion.chunk").put("id", id);
        c.putArray("choices").addObject().put("index", 0).putObject("delta");
        ((ObjectNode) c.get("choices").get(0)).putNull("logprobs").putNull("finish_reason");
        return c;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.get("choices").get(0).get("delta");
    }

    private static ObjectNode usage(SimReply reply, int promptTokens) {
        int completion = Math.max(1, reply.tokens().size());
        return SimHttp.json().createObjectNode().put("prompt_tokens", promptTokens)
                .put("completion_tokens", completion).put("total_tokens", promptTokens + completion);
    }

    private static void send(OutputStream out, ObjectNode chunk) throws IOException {
        SimHttp.chunk(out, "data: " + chunk + "\n\n");
    }
}
