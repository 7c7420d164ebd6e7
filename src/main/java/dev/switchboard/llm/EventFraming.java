package dev.switchboard.llm;

import dev.langchain4j.http.client.sse.ServerSentEvent;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a streamed response body into events as its buffers arrive on the event loop, so no
 * thread has to block on an {@code InputStream} the way LangChain4j's parsers do.
 * <ul>
 *   <li>{@link Mode#SSE} (OpenAI, exo): {@code event:} and {@code data:} lines up to a blank line,
 *       with the rules of LangChain4j's {@code DefaultServerSentEventParser} (data lines trimmed and
 *       joined by a newline, an event without data skipped);</li>
 *   <li>{@link Mode#LINES} (Ollama's NDJSON): every line is the data of one event.</li>
 * </ul>
 * Bytes are decoded only once a whole line is in, so a UTF-8 character split across two buffers
 * stays whole.
 */
final class EventFraming {
    enum Mode { SSE, LINES }

    private final Mode mode;
    private final Consumer<ServerSentEvent> events;
    private Buffer pending;
    private String event;
    private StringBuilder data;

    EventFraming(Mode mode, Consumer<ServerSentEvent> events) {
        this.mode = mode;
        this.events = events;
    }

    /** Feeds one buffer of the body; every complete event in it goes out now. */
    void feed(Buffer chunk) {
        Buffer in = pending == null ? chunk : pending.appendBuffer(chunk);
        int start = 0;
        int length = in.length();
        for (int i = 0; i < length; i++) {
            if (in.getByte(i) == '\n') {
                int end = i > start && in.getByte(i - 1) == '\r' ? i - 1 : i;
                line(in.getString(start, end, "UTF-8"));
                start = i + 1;
            }
        }
        pending = start == length ? null : in.getBuffer(start, length);
    }

    /** The body ended: a last line without a newline, and an event without its blank line, still count. */
    void end() {
        if (pending != null) {
            line(pending.toString(StandardCharsets.UTF_8));
            pending = null;
        }
        if (mode == Mode.SSE) {
            dispatch();
        }
    }

    private void line(String line) {
        if (mode == Mode.LINES) {
            if (!line.isBlank()) {
                events.accept(new ServerSentEvent(null, line));
            }
            return;
        }
        if (line.isEmpty()) {
            dispatch();
        } else if (line.startsWith("data:")) {
            if (data == null) {
                data = new StringBuilder(line.length());
            } else {
                data.append('\n');
            }
            data.append(line, 5, line.length());
            trimLastPiece(data, line.length() - 5);
        } else if (line.startsWith("event:")) {
            event = line.substring(6).trim();
        }
        // comments (":") and other fields (id:, retry:) are not used by the models
    }

    private void dispatch() {
        if (data != null && !data.isEmpty()) {
            events.accept(new ServerSentEvent(event, data.toString()));
        }
        event = null;
        data = null;
    }

    /** Trims the piece just appended, in place: what the default parser does to each data line. */
    private static void trimLastPiece(StringBuilder sb, int pieceLength) {
        int from = sb.length() - pieceLength;
        int lead = from;
        while (lead < sb.length() && sb.charAt(lead) <= ' ') {
            lead++;
        }
        sb.delete(from, lead);
        int end = sb.length();
        while (end > from && sb.charAt(end - 1) <= ' ') {
            end--;
        }
        sb.setLength(end);
    }
}
