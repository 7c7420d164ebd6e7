package dev.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated frames against the codec: random bytes, mutated valid frames, deep nesting, odd
 * unicode, huge numbers. Every frame must decode to a message, a command or an Invalid with a
 * code — never an exception, never a message id that could break a Redis key.
 */
class FrameFuzzTest {
    private static final List<String> SEEDS = List.of(
            "{\"type\":\"message\",\"id\":\"c-17\",\"data\":\"hi\",\"stream\":true}",
            "{\"type\":\"cancel\",\"id\":\"c-17\"}",
            "{\"type\":\"history\",\"limit\":50}",
            "{\"data\":\"hello\"}",
            "plain text message",
            "{\"type\":\"message\",\"id\":\"a:b@c.d-e_f\",\"data\":\"\\u00e9\\ud83d\\ude00\"}");
    private static final String ALPHABET = "{}[]\":,\\ abcdefghijklmnopqrstuvwxyz0123456789-_.:@typemessagedataidlimit"
            + "streamtruefalsenull\u0000\u00e9\ud83d\ude00\n\t";

    private final FrameCodec codec = new FrameCodec(new ObjectMapper(), 64 * 1024, 500, 16_000);

    /** "message:ID", "cancel:ID", "history:LIMIT", "reset", "usage" or "invalid:CODE". */
    private String describe(String frame) {
        return switch (codec.decode(frame)) {
            case Inbound.Message m -> "message:" + m.id();
            case Inbound.Cancel c -> "cancel:" + c.id();
            case Inbound.History h -> "history:" + h.limit();
            case Inbound.Reset r -> "reset";
            case Inbound.Usage u -> "usage";
            case Inbound.Invalid i -> "invalid:" + i.code().code();
        };
    }

    @Test
    void forty_thousand_generated_frames_decode_without_an_exception() {
        Random random = new Random(20261125L); // fixed: a failure is reproducible
        int invalid = 0;
        for (int i = 0; i < 40_000; i++) {
            String frame = switch (i % 4) {
                case 0 -> randomText(random, 1 + random.nextInt(200));
                case 1 -> mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
                case 2 -> nested(random);
                default -> oddValues(random);
            };
            String outcome = describe(frame);
            assertTrue(outcome.matches("(message|cancel|history|invalid):.*|reset"), outcome + " for " + frame);
            if (outcome.startsWith("invalid:")) {
                invalid++;
                assertTrue(outcome.matches("invalid:(bad_frame|too_large|unknown_type)"), outcome + " for " + frame);
            }
            if (outcome.startsWith("message:") || outcome.startsWith("cancel:")) {
                String id = outcome.substring(outcome.indexOf(':') + 1);
                assertTrue(id.equals("null") || id.matches("[A-Za-z0-9._:@-]{1,64}"), "id " + id + " of " + frame);
            }
        }
        assertTrue(invalid > 10_000, "the generator reaches the error paths: " + invalid);
    }

    private static String randomText(Random r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String mutate(Random r, String seed) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                default -> sb.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            }
        }
        return sb.toString();
    }

    private static String nested(Random r) {
        int depth = 1 + r.nextInt(3000);
        return "{\"type\":\"message\",\"data\":" + "[".repeat(depth) + "]".repeat(r.nextBoolean() ? depth : depth / 2) + "}";
    }

    private static String oddValues(Random r) {
        String[] values = {"1e999999", "-0", "null", "true", "\"\"", "\"" + "x".repeat(r.nextInt(70_000)) + "\"",
                "12345678901234567890123456789", "{}", "[]", "\"\\ud800\""};
        String[] fields = {"type", "id", "data", "limit", "stream"};
        StringBuilder sb = new StringBuilder("{");
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(fields[r.nextInt(fields.length)]).append("\":").append(values[r.nextInt(values.length)]);
        }
        return sb.append('}').toString();
    }
}
