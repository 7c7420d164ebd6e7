package dev.switchboard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Lets tests outside the package drive the package-private codec types. */
public final class FrameCodecAccess {
    private final FrameCodec codec;

    public FrameCodecAccess(ObjectMapper json, int maxFrameBytes, int maxHistoryLimit) {
        this.codec = new FrameCodec(json, maxFrameBytes, maxHistoryLimit);
    }

    /** "message:ID", "cancel:ID", "history:LIMIT", "reset" or "invalid:CODE". */
    public String describe(String frame) {
        return switch (codec.decode(frame)) {
            case Inbound.Message m -> "message:" + m.id();
            case Inbound.Cancel c -> "cancel:" + c.id();
            case Inbound.History h -> "history:" + h.limit();
            case Inbound.Reset r -> "reset";
            case Inbound.Invalid i -> "invalid:" + i.code();
        };
    }
}
