package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Line numbers of every node of a YAML document, keyed by a path such as {@code agents[1].handoffs[0]}.
 * Jackson's tree model drops locations, so validation errors look their line up here.
 */
final class YamlLines {
    private final Map<String, Integer> lines = new HashMap<>();

    YamlLines(String yaml) {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<Frame> stack = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = p.currentName();
                    lines.putIfAbsent(childPath(stack, pendingField), line);
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.pop();
                    continue;
                }
                String path = stack.isEmpty() ? "" : childPath(stack, pendingField);
                lines.putIfAbsent(path, line);
                if (t == JsonToken.START_OBJECT) {
                    stack.push(new Frame(path, false));
                } else if (t == JsonToken.START_ARRAY) {
                    stack.push(new Frame(path, true));
                }
                pendingField = null;
            }
        } catch (IOException e) {
            // the document was already parsed once for its content; a failure here only costs line numbers
        }
    }

    private static String childPath(Deque<Frame> stack, String field) {
        Frame parent = stack.peek();
        if (parent == null) {
            return field == null ? "" : field;
        }
        if (parent.array) {
            return parent.path + "[" + parent.next++ + "]";
        }
        return parent.path.isEmpty() ? field : parent.path + "." + field;
    }

    /** The line of {@code path}, or of its nearest ancestor that has one; 0 when unknown. */
    int lineOf(String path) {
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return lines.getOrDefault(p.substring(0, Math.max(cut, 0)), 0);
            }
            p = p.substring(0, cut);
        }
    }

    private static final class Frame {
        final String path;
        final boolean array;
        int next;

        Frame(String path, boolean array) {
            this.path = path;
            this.array = array;
        }
    }
}
