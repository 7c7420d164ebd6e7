package dev.switchboard.swarm.tools;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Singleton;

/** Session memory for the model: remember and recall small facts across turns and agents. */
@Singleton
@RegisterForReflection
public class MemoryTools implements ToolSet {

    @RegisterForReflection
    record Fact(@Arg(description = "lower-case name, e.g. name or order_id", minLength = 1, maxLength = 40) String key,
                @Arg(maxLength = 1024) String value) {
    }

    @RegisterForReflection
    record Key(@Arg(minLength = 1, maxLength = 40) String key) {
    }

    @ToolFunction(name = "remember", description = "Store a fact about the user in the session memory (every agent of the session sees it).")
    String remember(ToolContext context, Fact args) {
        try {
            context.memory().put(args.key(), args.value());
        } catch (IllegalArgumentException e) {
            throw new ToolException(e.getMessage());
        }
        return "Remembered " + args.key() + ".";
    }

    @ToolFunction(name = "recall", description = "Read a fact from the session memory by its key.")
    String recall(ToolContext context, Key args) {
        String v = context.memory().get(args.key());
        return v == null ? "Nothing is remembered under " + args.key() + "." : v;
    }
}
