package dev.switchboard.swarm;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{name}}} placeholders of a system prompt. Known names: {@code port},
 * {@code replica}, {@code agent}, {@code date}, {@code handoffs}, and {@code memory.KEY} for a
 * session memory value. An unknown placeholder is left as written, so a typo shows in the prompt
 * instead of silently vanishing.
 */
final class PromptRenderer {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private PromptRenderer() {
    }

    static String render(String template, Map<String, String> values, Map<String, String> memory) {
        if (template.indexOf("{{") < 0) {
            return template;
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (m.find()) {
            String name = m.group(1);
            String value = name.startsWith("memory.") ? memory.getOrDefault(name.substring(7), "")
                    : values.getOrDefault(name, m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
