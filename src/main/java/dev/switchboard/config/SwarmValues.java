package dev.switchboard.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The typed values of a swarm file — text, names, lists, whole numbers, decimals, booleans,
 * durations — each with its {@code ${VAR}} references resolved from the environment, checked, and
 * every problem noted as {@code file:line: field: what is wrong} instead of thrown, so that one read
 * reports all of them. {@link SwarmFileLoader}'s sections read their fields through these.
 */
abstract class SwarmValues {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-?([^}]*))?}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    final String source;
    final YamlLines lines;
    final List<String> errors = new ArrayList<>();
    private final Function<String, String> env;

    SwarmValues(String source, YamlLines lines, Function<String, String> env) {
        this.source = source;
        this.lines = lines;
        this.env = env;
    }

    void error(String path, String message) {
        errors.add(source + ":" + lines.lineOf(path) + ": " + path + ": " + message);
    }

    void onlyKnown(JsonNode n, String at, Set<String> known) {
        if (!n.isObject()) {
            error(at, "must be a mapping");
            return;
        }
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                error(path(f, at), "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }

    String name(JsonNode n, String at) {
        String name = requiredText(n, at, "name");
        if (name != null && !NAME.matcher(name).matches()) {
            error(at, "'" + name + "' is not a name: use lower-case letters, digits, '-' and '_'");
            return null;
        }
        return name;
    }

    String requiredText(JsonNode n, String at, String field) {
        if (!n.has(field) || n.get(field).isNull()) {
            error(at, "required");
            return null;
        }
        return text(n, field, at);
    }

    String text(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            error(at, "must be a text value");
            return null;
        }
        String s = resolveEnv(v.asText(), at);
        if (s != null && s.isBlank()) {
            error(at, "must not be empty");
            return null;
        }
        return s;
    }

    String resolveEnv(String value, String at) {
        Matcher m = ENV_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                v = m.group(2);
            }
            if (v == null) {
                error(at, "environment variable " + m.group(1) + " is not set");
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    List<String> strings(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            error(at, "must be a list");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                error(at + "[" + i + "]", "must be a text value");
            } else {
                String s = resolveEnv(v.get(i).asText(), at + "[" + i + "]");
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /**
     * A scalar as text with its {@code ${VAR}} references resolved, for the typed readers below:
     * a number, a duration or a boolean may come from the environment like any text. Null when
     * absent or unresolvable (the error is noted).
     */
    String scalar(JsonNode v, String path) {
        if (!v.isValueNode()) {
            error(path, "must be a single value");
            return null;
        }
        return v.isTextual() ? resolveEnv(v.asText(), path) : v.asText();
    }

    int integer(JsonNode n, String field, String at, int dflt, int min, int max) {
        JsonNode v = n.get(field);
        if (v != null && v.isNumber() && !v.isIntegralNumber()) {
            error(path(field, at), "must be a whole number");
            return dflt;
        }
        return number(n, field, at, (long) dflt, (long) min, (long) max, Long::parseLong, "a whole number").intValue();
    }

    double decimal(JsonNode n, String field, String at, double dflt, double min, double max) {
        return number(n, field, at, dflt, min, max, Double::parseDouble, "a number");
    }

    /** A number in {@code [min, max]}, written as one or as text (an env reference); {@code dflt} when absent or wrong. */
    private <T extends Comparable<T>> T number(JsonNode n, String field, String at, T dflt, T min, T max,
                                               Function<String, T> parse, String kind) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String path = path(field, at);
        String s = scalar(v, path);
        if (s == null) {
            return dflt;
        }
        T value;
        try {
            value = parse.apply(s.strip());
        } catch (NumberFormatException e) {
            error(path, "must be " + kind + ", not '" + s + "'");
            return dflt;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            error(path, value + " is out of range " + min + ".." + max);
            return dflt;
        }
        return value;
    }

    /** Strictly {@code true} or {@code false}: {@code backup: ture} is an error, not a silent false. */
    boolean bool(JsonNode n, String field, String at, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String path = path(field, at);
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v.isTextual() ? scalar(v, path) : null;
        if ("true".equals(s) || "false".equals(s)) {
            return Boolean.parseBoolean(s);
        }
        if (s != null || !v.isTextual()) {
            error(path, "must be true or false, not '" + (s != null ? s : v.asText()) + "'");
        }
        return dflt;
    }

    Duration duration(JsonNode n, String field, String at, Duration dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        String path = path(field, at);
        String s = scalar(v, path);
        if (s == null) {
            return dflt;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return dflt;
        }
    }

    /** The dotted name of {@code field} under {@code at}, as error messages and YamlLines know it. */
    private static String path(String field, String at) {
        return at.isEmpty() ? field : at + "." + field;
    }
}
