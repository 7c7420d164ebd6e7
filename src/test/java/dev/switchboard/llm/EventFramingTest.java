package dev.switchboard.llm;

import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events cut from buffers as they arrive must be the events LangChain4j's own parser reads from a stream. */
class EventFramingTest {

    private static List<String> framed(EventFraming.Mode mode, byte[] body, int pieceSize) {
        List<String> out = new ArrayList<>();
        EventFraming f = new EventFraming(mode, e -> out.add(e.event() + "|" + e.data()));
        for (int i = 0; i < body.length; i += pieceSize) {
            f.feed(Buffer.buffer(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + pieceSize))));
        }
        f.end();
        return out;
    }

    private static List<String> langchain4j(byte[] body) {
        List<String> out = new ArrayList<>();
        new DefaultServerSentEventParser().parse(new ByteArrayInputStream(body), new ServerSentEventListener() {
            @Override
            public void onEvent(ServerSentEvent e) {
                out.add(e.event() + "|" + e.data());
            }

            @Override
            public void onError(Throwable t) {
                throw new AssertionError(t);
            }
        });
        return out;
    }

    @Test
    void sse_events_match_langchain4j_whatever_the_buffer_boundaries() {
        byte[] body = ("data: {\"a\":\"héllo 🙂\"}\n\n"
                + "event: ping\ndata:  first line \ndata: second\n\n"
                + ": a comment\nid: 7\n\n"
                + "data: {\"b\":2}\r\n\r\n"
                + "data: [DONE]\n\n"
                + "data: tail without blank line").getBytes(StandardCharsets.UTF_8);
        List<String> expected = langchain4j(body);
        assertEquals(5, expected.size(), expected.toString());
        for (int size : new int[]{1, 2, 3, 7, 16, body.length}) {
            assertEquals(expected, framed(EventFraming.Mode.SSE, body, size), "pieces of " + size + " bytes");
        }
    }

    @Test
    void ndjson_lines_are_one_event_each_even_split_inside_a_character() {
        byte[] body = "{\"message\":\"ü\"}\n{\"done\":false}\n\n{\"done\":true}".getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("null|{\"message\":\"ü\"}", "null|{\"done\":false}", "null|{\"done\":true}");
        for (int size : new int[]{1, 5, 13, body.length}) {
            assertEquals(expected, framed(EventFraming.Mode.LINES, body, size), "pieces of " + size + " bytes");
        }
    }
}
