package dev.switchboard.swarm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent's system prompt with its {@code {{name}}} placeholders, parsed once. Known names:
 * {@code port}, {@code replica}, {@code agent}, {@code handoffs} (fixed for a replica: filled in
 * when the template is made), {@code date} and {@code memory.KEY} (filled in per turn). An unknown
 * placeholder is left as written, so a typo shows in the prompt instead of silently vanishing.
 * A prompt with nothing to fill per turn is one constant string.
 * <p>
 * Memory is what a user got the model to remember: it is data, never instructions. Each value is
 * rendered between {@code <user-data>} delimiters, on one line, with the characters that could
 * close the delimiter or fake a new prompt section (angle brackets, braces, backticks, control
 * characters and line breaks) taken out, so a remembered "ignore your instructions…" reads as a
 * quoted fact inside the system prompt, not as a paragraph of it.
 */
final class PromptRenderer {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    /** Literal text, or (when {@code name} is set) a value to look up per turn. */
    private record Part(String text, String name) {
    }

    private final List<Part> parts;
    private final String constant;

    /** @param fixed values known when the replica starts; {@code date} and {@code memory.*} are left for {@link #render} */
    PromptRenderer(String template, Map<String, String> fixed) {
        List<Part> out = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        int last = 0;
        while (m.find()) {
            literal.append(template, last, m.start());
            String name = m.group(1);
            if (name.equals("date") || name.startsWith("memory.")) {
                out.add(new Part(literal.toString(), null));
                literal.setLength(0);
                out.add(new Part(m.group(), name));
            } else {
                literal.append(fixed.getOrDefault(name, m.group()));
            }
            last = m.end();
        }
        literal.append(template, last, template.length());
        out.add(new Part(literal.toString(), null));
        this.parts = List.copyOf(out);
        this.constant = parts.size() == 1 ? parts.get(0).text() : null;
    }

    /** The prompt for one turn. */
    String render(String date, Map<String, String> memory) {
        if (constant != null) {
            return constant;
        }
        StringBuilder out = new StringBuilder(256);
        for (Part p : parts) {
            if (p.name() == null) {
                out.append(p.text());
            } else if (p.name().equals("date")) {
                out.append(date);
            } else {
                appendData(out, memory.getOrDefault(p.name().substring(7), ""));
            }
        }
        return out.toString();
    }

    static final String DATA_OPEN = "<user-data>";
    static final String DATA_CLOSE = "</user-data>";

    /** A memory value as delimited, one-line data. */
    static void appendData(StringBuilder out, String value) {
        out.append(DATA_OPEN);
        int n = Math.min(value.length(), SessionMemory.MAX_VALUE_CHARS);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                out.append(' ');
            } else if (c >= ' ' && "<>{}`\u2028\u2029".indexOf(c) < 0 && !Character.isISOControl(c)) {
                out.append(c);
            }
        }
        out.append(DATA_CLOSE);
    }

    /** Fills every placeholder at once: for a template used one time. */
    static String render(String template, Map<String, String> values, Map<String, String> memory) {
        return new PromptRenderer(template, values).render(values.getOrDefault("date", "{{date}}"), memory);
    }
}
