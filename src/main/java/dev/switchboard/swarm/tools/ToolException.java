package dev.switchboard.swarm.tools;

/** A tool call that cannot be done; its message goes back to the model, which may try again. */
public class ToolException extends RuntimeException {
    public ToolException(String message) {
        super(message);
    }
}
