package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Line numbers of every node of a YAML document, keyed by a path such as {@code agents[1].handoffs[0]}.
 * Jackson's tree model drops locations, so the document is read into a tree through a parser that
 * notes each token's line on the way past: one parse gives both the tree and the lines.
 */
final class YamlLines {
    private final Map<String, Integer> lines = new HashMap<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    private String pendingField;

    private YamlLines() {
    }

    /** The document's tree and its lines. */
    record Read(JsonNode root, YamlLines lines) {
    }

    /** Reads {@code yaml} with {@code mapper} (a YAML mapper), recording lines as the tree is built. */
    static Read read(ObjectMapper mapper, String yaml) throws IOException {
        YamlLines lines = new YamlLines();
        try (JsonParser p = lines.recording(mapper.getFactory().createParser(yaml))) {
            return new Read(mapper.readTree(p), lines);
        }
    }

    /**
     * The parser the tree is read from. Every way a deserializer may advance (nextToken, and the
     * shortcuts nextFieldName, nextTextValue, nextValue) goes through {@link #note}.
     */
    private JsonParser recording(JsonParser parser) {
        return new JsonParserDelegate(parser) {
            @Override
            public JsonToken nextToken() throws IOException {
                JsonToken t = delegate.nextToken();
                note(t, delegate);
                return t;
            }

            @Override
            public JsonToken nextValue() throws IOException {
                JsonToken t = nextToken();
                return t == JsonToken.FIELD_NAME ? nextToken() : t;
            }

            @Override
            public String nextFieldName() throws IOException {
                return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
            }

            @Override
            public boolean nextFieldName(SerializableString name) throws IOException {
                return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(currentName());
            }

            @Override
            public String nextTextValue() throws IOException {
                return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
            }
        };
    }

    private void note(JsonToken t, JsonParser p) throws IOException {
        if (t == null) {
            return;
        }
        int line = p.currentTokenLocation().getLineNr();
        if (t == JsonToken.FIELD_NAME) {
            pendingField = p.currentName();
            lines.putIfAbsent(childPath(pendingField, false), line);
            return;
        }
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            stack.pop();
            return;
        }
        String path = stack.isEmpty() ? "" : childPath(pendingField, true);
        lines.putIfAbsent(path, line);
        if (t == JsonToken.START_OBJECT) {
            stack.push(new Frame(path, false));
        } else if (t == JsonToken.START_ARRAY) {
            stack.push(new Frame(path, true));
        }
        pendingField = null;
    }

    /** The path of a child of the innermost container; an array's index advances only for a value. */
    private String childPath(String field, boolean value) {
        Frame parent = stack.peek();
        if (parent == null) {
            return field == null ? "" : field;
        }
        if (parent.array) {
            return parent.path + "[" + (value ? parent.next++ : parent.next) + "]";
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
