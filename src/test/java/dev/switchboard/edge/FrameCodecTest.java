package dev.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.errors.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec(new ObjectMapper(), 64 * 1024, 500, 16_000);

    @Test
    void plain_text_is_a_message_as_the_seed_clients_send_it() {
        Inbound.Message m = assertInstanceOf(Inbound.Message.class, codec.decode("Hello, which port is this?"));
        assertEquals("Hello, which port is this?", m.text());
        assertEquals(null, m.id());
    }

    @Test
    void a_valid_w3c_traceparent_is_kept_and_any_other_is_dropped() {
        String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Inbound.Message m = assertInstanceOf(Inbound.Message.class,
                codec.decode("{\"type\":\"message\",\"data\":\"hi\",\"traceparent\":\"" + valid + "\"}"));
        assertEquals(valid, m.traceparent());
        for (String bad : new String[]{"00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "x"}) {
            Inbound.Message other = assertInstanceOf(Inbound.Message.class,
                    codec.decode("{\"type\":\"message\",\"data\":\"hi\",\"traceparent\":\"" + bad + "\"}"));
            assertEquals(null, other.traceparent(), bad);
        }
    }

    @Test
    void json_commands_are_decoded() {
        Inbound.Message m = assertInstanceOf(Inbound.Message.class,
                codec.decode("{\"type\":\"message\",\"id\":\"c-17\",\"data\":\"hi\",\"stream\":true}"));
        assertEquals("c-17", m.id());
        assertTrue(m.stream());
        assertEquals("hi", assertInstanceOf(Inbound.Message.class, codec.decode("{\"data\":\"hi\"}")).text());
        assertEquals("c-17", assertInstanceOf(Inbound.Cancel.class, codec.decode("{\"type\":\"cancel\",\"id\":\"c-17\"}")).id());
        assertEquals(50, assertInstanceOf(Inbound.History.class, codec.decode("{\"type\":\"history\"}")).limit());
        assertEquals(7, assertInstanceOf(Inbound.History.class, codec.decode("{\"type\":\"history\",\"limit\":7}")).limit());
    }

    @Test
    void bad_frames_are_invalid_with_a_stable_code() {
        assertCode("{not json", "bad_frame");
        assertCode("{\"type\":\"message\"}", "bad_frame");
        assertCode("{\"type\":\"message\",\"data\":42}", "bad_frame");
        assertCode("{\"type\":\"message\",\"data\":\"x\",\"stream\":\"yes\"}", "bad_frame");
        assertCode("{\"type\":\"cancel\"}", "bad_frame");
        assertCode("{\"type\":\"history\",\"limit\":100000}", "bad_frame");
        assertCode("{\"type\":\"dance\"}", "unknown_type");
        assertCode("{\"type\":7}", "bad_frame");
        assertCode("{\"id\":\"x y\",\"data\":\"hi\"}", "bad_frame");
        assertCode("{\"id\":\"" + "i".repeat(65) + "\",\"data\":\"hi\"}", "bad_frame");
        assertCode("{}", "bad_frame");
        assertCode("", "bad_frame");
    }

    @Test
    void the_size_limit_counts_utf8_bytes() {
        FrameCodec bytesOnly = new FrameCodec(new ObjectMapper(), 64 * 1024, 500, Integer.MAX_VALUE);
        assertInstanceOf(Inbound.Message.class, bytesOnly.decode("a".repeat(64 * 1024)));
        assertEquals("too_large", assertInstanceOf(Inbound.Invalid.class, bytesOnly.decode("a".repeat(64 * 1024 + 1))).code().code());
        assertInstanceOf(Inbound.Message.class, bytesOnly.decode("€".repeat(21_000))); // 63,000 bytes
        assertEquals("too_large", assertInstanceOf(Inbound.Invalid.class, bytesOnly.decode("€".repeat(22_000))).code().code()); // 66,000 bytes
    }

    @Test
    void a_message_longer_than_the_page_allows_is_too_large_in_both_frame_forms() {
        assertInstanceOf(Inbound.Message.class, codec.decode("a".repeat(16_000)));
        assertCode("a".repeat(16_001), "too_large");
        assertInstanceOf(Inbound.Message.class, codec.decode("{\"type\":\"message\",\"data\":\"" + "b".repeat(16_000) + "\"}"));
        Inbound.Invalid json = assertInstanceOf(Inbound.Invalid.class,
                codec.decode("{\"type\":\"message\",\"id\":\"m-1\",\"data\":\"" + "b".repeat(16_001) + "\"}"));
        assertEquals(ErrorCode.TOO_LARGE, json.code());
        assertEquals("m-1", json.id());
    }

    @Test
    void the_id_of_a_bad_command_is_echoed_so_the_client_can_match_it() {
        Inbound.Invalid bad = assertInstanceOf(Inbound.Invalid.class, codec.decode("{\"type\":\"message\",\"id\":\"c-9\"}"));
        assertEquals("c-9", bad.id());
    }

    @Test
    void replies_always_carry_data_and_agent_name() {
        String json = codec.encode(new Outbound.Reply(null, "hi", "triage", "8083", false));
        assertEquals("{\"type\":\"reply\",\"data\":\"hi\",\"agentName\":\"triage\",\"replica\":\"8083\"}", json);
    }

    @Test
    void hand_written_frames_are_the_json_the_records_map_to() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Object[] frames = {
                new Outbound.Reply("c-1", "a \"quoted\" 🙂 answer\n", "sales", "8083", true),
                new Outbound.Reply(null, "", "triage", null, false),
                new Outbound.Reply("c-6", "resumed answer", "triage", "8082", false, 1),
                new Outbound.Token("c-2", "tok</script>"),
                new Outbound.Token(null, " "),
                new Outbound.Agent("c-3", "triage", "sales"),
                new Outbound.Agent(null, "sales", "triage"),
                new Outbound.Error("c-4", ErrorCode.BUSY, "wait \u0001"),
                new Outbound.Error(null, ErrorCode.RATE_LIMITED, "slow down"),
                new Outbound.Cancelled("c-5"),
        };
        for (Object f : frames) {
            assertEquals(mapper.readTree(mapper.writeValueAsString(f)), mapper.readTree(codec.encode(f)), f.toString());
            assertEquals(mapper.writeValueAsString(f), codec.encode(f), "same field order too: " + f);
        }
    }

    private void assertCode(String frame, String code) {
        Inbound.Invalid bad = assertInstanceOf(Inbound.Invalid.class, codec.decode(frame), frame);
        assertEquals(code, bad.code().code(), frame);
    }
}
