package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool an agent can call. Most tools are a {@link ToolFunction} method of a {@link ToolSet} (the
 * schema and the argument binding come from its record); implement this interface directly for a
 * schema the annotations do not cover, in a {@code @Singleton}, with a unique {@link #name()}, and list
 * the name under an agent's {@code tools:} in the swarm file. Arguments are checked against
 * {@link #parameters()} before {@link #execute} runs; whatever goes wrong goes back to the model as a
 * tool error, never to the user as a failed turn. A tool runs on the turn's event loop, so it must not
 * block there: one that waits on I/O (a slow HTTP API, a database) returns true from {@link #blocking()}
 * and runs on a virtual thread instead. Either way keep it quick (the turn waits) and bounded.
 */
public interface Tool {

    /** What the model calls: {@code [a-z0-9_]+}. */
    String name();

    /** Tells the model when to use the tool. */
    String description();

    /** JSON Schema of the arguments object (type, properties, required, enum, bounds). */
    JsonNode parameters();

    /**
     * @param args already checked against {@link #parameters()}
     * @return the result the model sees (plain text or JSON text)
     * @throws ToolException with a message for the model when the call cannot be done
     */
    String execute(ToolContext context, JsonNode args);

    /**
     * True when {@link #execute} blocks (network, disk, locks): it then runs on a virtual thread
     * and the turn resumes on its event loop with the result. The built-in tools do not block.
     */
    default boolean blocking() {
        return false;
    }
}
