package dev.switchboard.swarm.tools;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Singleton;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The current date and time, in a time zone the model may choose. */
@Singleton
@RegisterForReflection
public class CurrentTimeTool implements ToolSet {

    @RegisterForReflection
    record Zone(@Arg(description = "IANA time zone such as Europe/Paris; UTC when absent", required = false, maxLength = 40) String zone) {
    }

    @ToolFunction(name = "current_time", description = "The current date and time, optionally in a given IANA time zone.")
    String now(ToolContext context, Zone args) {
        String zone = args.zone() == null ? "UTC" : args.zone();
        try {
            return ZonedDateTime.now(context.clock().withZone(ZoneId.of(zone))).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    + " (" + zone + ")";
        } catch (DateTimeException e) {
            throw new ToolException("unknown time zone '" + zone + "'; use an IANA name such as Europe/Paris");
        }
    }
}
