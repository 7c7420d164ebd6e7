package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides what the simulated model says, deterministically, from what it was sent, so tests can
 * assert on history and agents through the reply text:
 * <ul>
 *   <li>after a tool result: a text answer;</li>
 *   <li>a user message naming an agent X when the tool {@code transfer_to_X} is offered: a call of that tool;</li>
 *   <li>directives in the last user message: {@code [[sim:tool=NAME]]} calls NAME,
 *   {@code [[sim:tool=NAME {"a":1}]]} with arguments, {@code [[sim:status=500]]} fails,
 *   {@code [[sim:delay=300]]} waits 300 ms more, {@code [[sim:empty]]} answers nothing,
 *   {@code [[sim:fragment]]} answers a tool-call fragment as text, {@code [[sim:long=N]]} adds N words,
 *   {@code [[sim:loop=NAME {json}]]} calls NAME on every call of the turn,
 *   {@code [[sim:only=AGENT]]} keeps the directives to the agent whose prompt says "You are AGENT";
 *   they act on the call that answers the user message; {@code =always} makes empty/fragment act on
 *   every call of the turn. After a tool result the answer quotes it ({@code tool="…"});</li>
 *   <li>a request to continue a partial answer (an assistant message, then a user message starting
 *   "Continue your previous answer"): the rest of the answer it would have given without them;</li>
 *   <li>otherwise the echo: {@code (sim NAME) users=N said="…" system="…"}: N is the number of user
 *   messages the model was sent, {@code system} the start of the system prompt.</li>
 * </ul>
 */
final class SimBrain {
    /** How a continuation request's last message begins (the pool's instruction, see BackendPool). */
    static final String CONTINUE = "Continue your previous answer";
    private static final Pattern DIRECTIVE = Pattern.compile("\\[\\[sim:([a-z]+)(?:=([^\\]]*))?]]");

    private final String name;
    private int callCounter;

    SimBrain(String name) {
        this.name = name;
    }

    /** A message as either wire format carries it, reduced to what the brain needs. */
    record Msg(String role, String content) {
    }

    synchronized SimReply answer(List<Msg> messages, List<String> tools) {
        int n = messages.size();
        if (n >= 2 && "user".equals(messages.get(n - 1).role()) && messages.get(n - 1).content() != null
                && messages.get(n - 1).content().startsWith(CONTINUE) && "assistant".equals(messages.get(n - 2).role())) {
            // A pool resuming a broken stream: the answer to the conversation before the partial
            // answer, from where the partial one stopped, as a model told to continue would give it.
            String prefix = messages.get(n - 2).content() == null ? "" : messages.get(n - 2).content();
            SimReply full = answer(messages.subList(0, n - 2), tools);
            if (full.isToolCall() || full.status() != 200) {
                return full;
            }
            String rest = full.text().length() > prefix.length() ? full.text().substring(prefix.length()) : "";
            return new SimReply(rest, new ArrayList<>(), 200, full.extraDelayMillis());
        }
        Msg last = messages.isEmpty() ? new Msg("user", "") : messages.get(messages.size() - 1);
        String system = messages.stream().filter(m -> "system".equals(m.role())).map(Msg::content).findFirst().orElse("");
        long users = messages.stream().filter(m -> "user".equals(m.role())).count();
        String lastUser = "";
        for (Msg m : messages) {
            if ("user".equals(m.role())) {
                lastUser = m.content() == null ? "" : m.content();
            }
        }
        int status = 200;
        long delay = 0;
        boolean empty = false;
        boolean fragment = false;
        int longWords = 0;
        String forcedTool = null;
        String forcedArgs = "{}";
        boolean userLast = "user".equals(last.role());
        // [[sim:only=AGENT]] scopes a message's directives to the agent whose prompt says "You are AGENT"
        Matcher only = Pattern.compile("\\[\\[sim:only=([^\\]]+)]]").matcher(lastUser);
        boolean scoped = !only.find() || system.contains("You are " + only.group(1).trim());
        Matcher d = DIRECTIVE.matcher(scoped ? lastUser : "");
        while (d.find()) {
            String value = d.group(2) == null ? "" : d.group(2).trim();
            // Most directives act on the model call that answers the user message directly; "=always"
            // ones act on every call of the turn (after tool results, after a corrective note).
            boolean applies = userLast || "always".equals(value);
            switch (d.group(1)) {
                case "status" -> status = userLast ? Integer.parseInt(value) : status;
                case "delay" -> delay = userLast ? Long.parseLong(value) : delay;
                case "empty" -> empty |= applies;
                case "fragment" -> fragment |= applies;
                case "long" -> longWords = Integer.parseInt(value);
                case "tool", "loop" -> {
                    // "loop" calls the tool on every call of the turn: a model that never stops calling
                    if (userLast || "loop".equals(d.group(1))) {
                        int sp = value.indexOf(' ');
                        forcedTool = sp < 0 ? value : value.substring(0, sp);
                        forcedArgs = sp < 0 ? "{}" : value.substring(sp + 1).trim();
                    }
                }
                default -> { }
            }
        }
        if (forcedTool != null) {
            return new SimReply("", List.of(new SimReply.Call(nextId(), forcedTool, forcedArgs)), status, delay);
        }
        if ("user".equals(last.role())) {
            String lower = lastUser.toLowerCase(Locale.ROOT);
            for (String tool : tools) {
                if (tool.startsWith("transfer_to_")) {
                    String agent = tool.substring("transfer_to_".length());
                    if (Pattern.compile("\\b" + Pattern.quote(agent.toLowerCase(Locale.ROOT)) + "\\b").matcher(lower).find()) {
                        return new SimReply("", List.of(new SimReply.Call(nextId(), tool, "{}")), status, delay);
                    }
                }
            }
        }
        if (empty) {
            return new SimReply("", List.of(), status, delay);
        }
        if (fragment) {
            return new SimReply("{\"name\": \"transfer_to_", List.of(), status, delay);
        }
        String said = clip(DIRECTIVE.matcher(lastUser).replaceAll("").strip(), 80);
        String text = "(sim " + name + ") users=" + users + " said=\"" + said + "\" system=\"" + clip(system.strip(), 160) + "\"";
        if ("tool".equals(last.role())) {
            text += " tool=\"" + clip(last.content() == null ? "" : last.content(), 200) + "\"";
        }
        if (longWords > 0) {
            text += " " + "word ".repeat(Math.min(longWords, 1_000_000)).strip();
        }
        return new SimReply(text, new ArrayList<>(), status, delay);
    }

    private String nextId() {
        return "call_" + name.replaceAll("[^A-Za-z0-9]", "") + "_" + (++callCounter);
    }

    private static String clip(String s, int max) {
        String oneLine = s.replace('\n', ' ').replace('"', '\'');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
    }
}
