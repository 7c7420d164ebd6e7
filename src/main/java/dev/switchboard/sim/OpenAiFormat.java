package dev.switchboard.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.openai.CompletionJson;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's {@code /v1/chat/completions} answers: a {@code chat.completion}, or SSE
 * {@code chat.completion.chunk}s and {@code [DONE]}; the JSON is the shared {@link CompletionJson}
 * the gateway answers with too, paced and broken as the fault plan says.
 */
final class OpenAiFormat {
    private static final CompletionJson JSON = new CompletionJson(SimHttp.json());

    private OpenAiFormat() {
    }

    static ObjectNode completion(String model, SimReply reply, TokenUsage usage) {
        return JSON.completion(head(model), aiMessage(reply), finishReason(reply), usage);
    }

    static void stream(HttpExchange ex, String model, SimReply reply, TokenUsage usage, boolean includeUsage,
                       long tokenDelay, Fault fault) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        CompletionJson.Head head = head(model);
        send(out, JSON.firstChunk(head, !reply.isToolCall()));
        if (reply.isToolCall()) {
            // a call's id and name first, its arguments in a chunk of their own, as OpenAI streams them
            List<SimReply.Call> calls = reply.calls();
            for (int i = 0; i < calls.size(); i++) {
                SimReply.Call c = calls.get(i);
                ObjectNode start = JSON.chunk(head);
                ObjectNode call = CompletionJson.delta(start).putArray("tool_calls").addObject().put("index", i)
                        .put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", "");
                send(out, start);
                ObjectNode args = JSON.chunk(head);
                CompletionJson.delta(args).putArray("tool_calls").addObject().put("index", i)
                        .putObject("function").put("arguments", c.arguments());
                send(out, args);
            }
        } else {
            Pacing.paceTokens(reply.tokens(), tokenDelay, fault, token -> send(out, JSON.contentChunk(head, token)));
        }
        send(out, JSON.lastChunk(head, List.of(), finishReason(reply)));
        if (includeUsage && usage != null) {
            send(out, JSON.usageChunk(head, usage));
        }
        SimHttp.chunk(out, "data: [DONE]\n\n");
    }

    private static CompletionJson.Head head(String model) {
        return new CompletionJson.Head("chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24),
                model, System.currentTimeMillis() / 1000);
    }

    private static AiMessage aiMessage(SimReply reply) {
        if (!reply.isToolCall()) {
            return AiMessage.from(reply.text());
        }
        return AiMessage.from(reply.calls().stream()
                .map(c -> ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build())
                .toList());
    }

    private static String finishReason(SimReply reply) {
        return reply.isToolCall() ? "tool_calls" : "stop";
    }

    private static void send(OutputStream out, ObjectNode chunk) throws IOException {
        SimHttp.chunk(out, "data: " + chunk + "\n\n");
    }
}
