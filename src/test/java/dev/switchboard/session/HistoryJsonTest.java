package dev.switchboard.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Entries written by hand are the entries the record mapper writes, and both read back the same. */
class HistoryJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final HistoryJson json = new HistoryJson(mapper.getFactory());

    private final List<HistoryMessage> messages = List.of(
            HistoryMessage.user("c-1", "triage", "hello \"there\" 🙂\n<b>", 1_700_000_000_000L),
            HistoryMessage.assistant("m-1", "sales", "", 5),
            new HistoryMessage("m-2", HistoryMessage.ASSISTANT, "triage", "", 6,
                    List.of(new HistoryMessage.ToolCall("call_1", "transfer_to_sales", "{}"),
                            new HistoryMessage.ToolCall("call_2", "calculator", null)), null, null),
            new HistoryMessage("m-3", HistoryMessage.TOOL, "triage", "Transferred to sales.", 7, List.of(), "call_1", "transfer_to_sales"),
            new HistoryMessage(null, null, null, null, 0, List.of(), null, null));

    @Test
    void written_as_the_mapper_writes_and_read_back_whole() throws Exception {
        for (HistoryMessage m : messages) {
            String ours = json.write(m);
            assertEquals(mapper.writeValueAsString(m), ours, m.toString());
            HistoryMessage back = json.read(ours.getBytes(StandardCharsets.UTF_8));
            assertEquals(mapper.readValue(ours, HistoryMessage.class), back, ours);
        }
    }

    @Test
    void unknown_fields_are_skipped_and_junk_is_refused() throws Exception {
        HistoryMessage m = json.read("{\"id\":\"x\",\"future\":{\"a\":[1,2]},\"role\":\"user\",\"ts\":3,\"toolCalls\":null}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(new HistoryMessage("x", "user", null, null, 3, List.of(), null, null), m);
        assertThrows(java.io.IOException.class, () -> json.read("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(java.io.IOException.class, () -> json.read("{\"id\":".getBytes(StandardCharsets.UTF_8)));
    }
}
