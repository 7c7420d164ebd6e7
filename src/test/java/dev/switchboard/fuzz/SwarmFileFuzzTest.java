package dev.switchboard.fuzz;

import dev.switchboard.config.SwarmFileException;
import dev.switchboard.config.SwarmFileLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated swarm files against the loader: each must load or be refused with a SwarmFileException
 * that names the file — never another exception (which would be a stack trace at start, not a message).
 */
class SwarmFileFuzzTest {

    @Test
    void three_thousand_mutated_swarm_files_load_or_are_refused_with_a_message() throws Exception {
        String seed = Files.readString(Path.of("config/swarm-shop.yaml"));
        Path file = Files.createTempFile("fuzz-swarm", ".yaml");
        Random random = new Random(42);
        String alphabet = "{}[]:,-#&*!|>'\"% \n\tabcxyz019${}";
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(4)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 2 -> sb.delete(at, Math.min(sb.length(), at + random.nextInt(40)));
                    default -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            Files.writeString(file, sb);
            try {
                new SwarmFileLoader(k -> null).load(file);
            } catch (SwarmFileException e) {
                refused++;
                assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
            } catch (RuntimeException e) {
                throw new AssertionError("mutation " + i + " escaped as " + e + ":\n" + sb, e);
            }
        }
        assertTrue(refused > 1000, "most mutations are refused: " + refused);
    }
}
