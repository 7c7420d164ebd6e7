package dev.switchboard.config;

/**
 * A swarm file that cannot be used. The message always names the file, the line (when known)
 * and the field, so that a replica that refuses to start says exactly what to fix.
 */
public class SwarmFileException extends RuntimeException {
    public SwarmFileException(String message) {
        super(message);
    }

    public SwarmFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
