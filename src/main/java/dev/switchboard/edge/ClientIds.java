package dev.switchboard.edge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The {@code clientId} query parameter: required, 1-128 characters of {@code [A-Za-z0-9._:@-]}. */
public final class ClientIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private ClientIds() {
    }

    /** The clientId of a query string, or null when there is none. */
    public static String fromQuery(String query) {
        return param(query, "clientId");
    }

    /** The first value of parameter {@code wanted} in a query string, decoded; null when absent. */
    static String param(String query, String wanted) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (wanted.equals(name)) {
                try {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return "\u0000"; // bad percent-encoding: invalid, never a usable id
                }
            }
        }
        return null;
    }

    /** Why {@code clientId} is refused, or null when it is fine. */
    public static String problem(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return "clientId is required: connect to /chat?clientId=YOUR_ID";
        }
        if (!VALID.matcher(clientId).matches()) {
            return "clientId must be 1-128 characters of A-Z a-z 0-9 . _ : @ -";
        }
        return null;
    }
}
