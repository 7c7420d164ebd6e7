package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Singleton;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The current date and time, in a time zone the model may choose. */
@Singleton
public class CurrentTimeTool extends JsonTool {

    public CurrentTimeTool() {
        super("""
                {"type":"object","additionalProperties":false,"properties":{
                  "zone":{"type":"string","maxLength":40,"description":"IANA time zone such as Europe/Paris; UTC when absent"}}}""");
    }

    @Override
    public String name() {
        return "current_time";
    }

    @Override
    public String description() {
        return "The current date and time, optionally in a given IANA time zone.";
    }

    @Override
    public String execute(ToolContext context, JsonNode args) {
        String zone = args.path("zone").asText("UTC");
        try {
            return ZonedDateTime.now(context.clock().withZone(ZoneId.of(zone))).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    + " (" + zone + ")";
        } catch (DateTimeException e) {
            throw new ToolException("unknown time zone '" + zone + "'; use an IANA name such as Europe/Paris");
        }
    }
}
