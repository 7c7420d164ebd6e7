package dev.switchboard.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "A stack from bin/up" for an end-to-end test class, as a JUnit extension:
 * <pre>{@code @RegisterExtension static final BinUpStack STACK = new BinUpStack(scripts).fresh("redis");}</pre>
 * Before the class: {@code bin/down} (a stack an aborted run left behind), the named directories
 * under its var removed, {@code bin/up -d} with the given options, which must succeed. After the
 * class (after its own {@code @AfterAll}): {@code bin/down}.
 */
public final class BinUpStack implements BeforeAllCallback, AfterAllCallback {
    private final StackScripts scripts;
    private List<String> fresh = List.of();
    private List<String> options = List.of();

    public BinUpStack(StackScripts scripts) {
        this.scripts = scripts;
    }

    /** Directories under the stack's var to remove before it starts (Redis data of an earlier run). */
    public BinUpStack fresh(String... dirs) {
        this.fresh = List.of(dirs);
        return this;
    }

    /** Options of {@code bin/up -d} ({@code --redis cluster}). */
    public BinUpStack with(String... upOptions) {
        this.options = List.of(upOptions);
        return this;
    }

    public StackScripts scripts() {
        return scripts;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        scripts.run("bin/down");
        for (String dir : fresh) {
            StackScripts.deleteTree(scripts.var().resolve(dir));
        }
        String[] command = new String[2 + options.size()];
        command[0] = "bin/up";
        command[1] = "-d";
        for (int i = 0; i < options.size(); i++) {
            command[2 + i] = options.get(i);
        }
        Process up = scripts.run(command);
        assertEquals(0, up.exitValue(), String.join(" ", command) + " failed: " + Files.readString(scripts.var().resolve("up.log")));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        scripts.run("bin/down");
    }
}
