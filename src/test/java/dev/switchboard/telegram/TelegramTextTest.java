package dev.switchboard.telegram;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelegramTextTest {

    @Test
    void short_text_is_one_piece() {
        assertEquals(List.of("hello"), TelegramText.split("hello", 4096));
        assertEquals(List.of(""), TelegramText.split("", 4096));
    }

    @Test
    void splits_at_the_last_line_break_then_the_last_space_then_hard() {
        assertEquals(List.of("aaaa bbbb", "cc dd"), TelegramText.split("aaaa bbbb\ncc dd", 10));
        assertEquals(List.of("aaaa bbbb", "cccc"), TelegramText.split("aaaa bbbb cccc", 10));
        assertEquals(List.of("aaaaaaaaaa", "aaaaa"), TelegramText.split("aaaaaaaaaaaaaaa", 10));
    }

    @Test
    void never_cuts_a_surrogate_pair() {
        String text = "a".repeat(9) + "😀" + "b";
        List<String> pieces = TelegramText.split(text, 10);
        assertEquals(List.of("a".repeat(9), "😀b"), pieces);
    }

    @Test
    void every_piece_fits_and_together_they_are_the_text() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append("word").append(i).append(i % 17 == 0 ? "\n" : " ");
        }
        List<String> pieces = TelegramText.split(text.toString().strip(), TelegramText.MAX_MESSAGE);
        assertTrue(pieces.size() > 1);
        pieces.forEach(p -> assertTrue(p.length() <= TelegramText.MAX_MESSAGE && !p.isEmpty()));
        assertEquals(text.toString().strip().replaceAll("\\s+", " "), String.join(" ", pieces).replaceAll("\\s+", " "));
    }

    @Test
    void markdown_v2_escapes_every_special_character_outside_entities() {
        assertEquals("1\\+1\\=2\\. \\(a\\_b\\) \\[x\\] \\#tag \\!", TelegramText.escape("1+1=2. (a_b) [x] #tag !"));
        assertEquals(List.of("*bold* and `a\\\\b` \\- [the site](https://a.io/x_y) \\!"),
                TelegramText.markdownV2("**bold** and `a\\b` - [the site](https://a.io/x_y) !"));
    }

    @Test
    void a_code_block_keeps_its_text_and_is_reopened_across_pieces() {
        List<String> one = TelegramText.markdownV2("Run:\n```bash\necho \"a_b\" | tr '*' '.'\n```\ndone.");
        assertEquals(List.of("Run:\n```bash\necho \"a_b\" | tr '*' '.'\n```\ndone\\."), one);

        String code = "x = 1\n".repeat(1000); // 6000 characters of code
        List<String> pieces = TelegramText.markdownV2("```\n" + code + "```");
        assertTrue(pieces.size() == 2, pieces.size() + " pieces");
        assertTrue(pieces.get(0).startsWith("```") && pieces.get(0).endsWith("\n```"), "closed at the cut");
        assertTrue(pieces.get(1).startsWith("```\n") && pieces.get(1).endsWith("```"), "reopened after it");
    }

    @Test
    void a_spent_budget_is_answered_with_its_reset_time_in_words() {
        assertEquals("in 45 seconds", TelegramText.inWords(45));
        assertEquals("in 1 minute", TelegramText.inWords(60));
        assertEquals("in 12 minutes", TelegramText.inWords(11 * 60 + 5));
        assertEquals("in 1 hour", TelegramText.inWords(3600));
        assertEquals("in 3 hours 5 minutes", TelegramText.inWords(3 * 3600 + 4 * 60 + 30));
        assertEquals("This chat has used its token budget for now. It resets in 12 minutes; send your message again then.",
                UpdateHandler.reply(Tier.Answer.error("budget_exceeded", "spent", 700)));
        assertEquals("Sorry, I could not answer that: busy", UpdateHandler.reply(Tier.Answer.error("busy", "busy")));
        assertEquals("hi", UpdateHandler.reply(new Tier.Answer("hi", "triage")));
    }
}
