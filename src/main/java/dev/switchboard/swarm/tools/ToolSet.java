package dev.switchboard.swarm.tools;

/**
 * A bean whose {@link ToolFunction} methods are tools. Implement it in a {@code @Singleton} in this
 * package; {@link ToolRegistry} finds the methods. Register the class and its argument records for
 * reflection ({@code @RegisterForReflection}) so the native image keeps them.
 */
public interface ToolSet {
}
