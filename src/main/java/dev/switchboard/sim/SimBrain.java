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
 *   {@code [[sim:delay=300]]} waits 300 ms more, {@code [[sim:empty]]} answers nothing;</li>
 *   <li>otherwise the echo: {@code (sim NAME) users=N said="…" system="…"}: N is the number of user
 *   messages the model was sent, {@code system} the start of the system prompt.</li>
 * </ul>
 */
final class SimBrain {
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
        String forcedTool = null;
        String forcedArgs = "{}";
        if ("user".equals(last.role())) {
            Matcher d = DIRECTIVE.matcher(lastUser);
            while (d.find()) {
                String value = d.group(2) == null ? "" : d.group(2).trim();
                switch (d.group(1)) {
                    case "status" -> status = Integer.parseInt(value);
                    case "delay" -> delay = Long.parseLong(value);
                    case "empty" -> empty = true;
                    case "tool" -> {
                        int sp = value.indexOf(' ');
                        forcedTool = sp < 0 ? value : value.substring(0, sp);
                        forcedArgs = sp < 0 ? "{}" : value.substring(sp + 1).trim();
                    }
                    default -> { }
                }
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
        String said = clip(DIRECTIVE.matcher(lastUser).replaceAll("").strip(), 80);
        String text = "(sim " + name + ") users=" + users + " said=\"" + said + "\" system=\"" + clip(system.strip(), 160) + "\"";
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
