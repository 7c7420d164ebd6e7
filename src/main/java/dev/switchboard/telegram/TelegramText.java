package dev.switchboard.telegram;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text as Telegram takes it: at most 4096 characters a message, and MarkdownV2's escaping, where
 * every one of {@code _*[]()~`>#+-=|{}.!} outside an entity needs a backslash or the whole message
 * is refused.
 */
public final class TelegramText {
    /** sendMessage's limit, in characters (UTF-16 units are what Telegram counts). */
    public static final int MAX_MESSAGE = 4096;
    private static final String SPECIAL = "_*[]()~`>#+-=|{}.!\\";
    private static final Pattern INLINE = Pattern.compile(
            "`([^`\\n]+)`|\\*\\*(?=\\S)(.+?)(?<=\\S)\\*\\*|\\[([^\\]\\n]+)]\\((https?://[^\\s)]+)\\)");

    private TelegramText() {
    }

    /**
     * Cuts {@code text} into pieces of at most {@code max} characters: at the last line break of a
     * piece, else at its last space, else hard (never inside a surrogate pair). Joined with the
     * separators they were cut at, the pieces give the text back.
     */
    public static List<String> split(String text, int max) {
        List<String> pieces = new ArrayList<>();
        String rest = text;
        while (rest.length() > max) {
            int cut = rest.lastIndexOf('\n', max);
            if (cut < max / 2) {
                int space = rest.lastIndexOf(' ', max);
                cut = space >= max / 2 ? space : cut;
            }
            boolean separator = cut > 0;
            if (!separator) {
                cut = Character.isLowSurrogate(rest.charAt(max)) ? max - 1 : max;
            }
            pieces.add(rest.substring(0, cut));
            rest = rest.substring(separator ? cut + 1 : cut);
        }
        if (!rest.isEmpty() || pieces.isEmpty()) {
            pieces.add(rest);
        }
        return pieces;
    }

    /** {@code s} with every MarkdownV2 special character escaped: shows exactly as written. */
    /** "in 45 seconds", "in 12 minutes", "in 3 hours 5 minutes": how long until a budget resets. */
    public static String inWords(long seconds) {
        if (seconds < 60) {
            return "in " + plural(Math.max(1, seconds), "second");
        }
        long minutes = (seconds + 59) / 60;
        if (minutes < 60) {
            return "in " + plural(minutes, "minute");
        }
        return "in " + plural(minutes / 60, "hour") + (minutes % 60 == 0 ? "" : " " + plural(minutes % 60, "minute"));
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * The pieces of a model's Markdown answer as MarkdownV2 messages: fenced code becomes a code
     * block, {@code `code`}, {@code **bold**} and http(s) links keep their meaning, everything else
     * is escaped. A code block cut between two pieces is closed at the end of one and reopened in
     * the next. Pieces are cut from the source, so each shows at most {@code MAX_MESSAGE} characters.
     */
    public static List<String> markdownV2(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inFence = false;
        for (String piece : split(markdown, MAX_MESSAGE)) {
            StringBuilder md = new StringBuilder();
            if (inFence) {
                md.append("```\n");
            }
            String[] lines = piece.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.strip().startsWith("```")) {
                    inFence = !inFence;
                    md.append(inFence ? "```" + line.strip().substring(3).replaceAll("[^A-Za-z0-9+_-]", "") : "```");
                } else if (inFence) {
                    md.append(line.replace("\\", "\\\\").replace("`", "\\`"));
                } else {
                    md.append(inline(line));
                }
                if (i < lines.length - 1) {
                    md.append('\n');
                }
            }
            if (inFence) {
                md.append("\n```");
            }
            out.add(md.toString());
        }
        return out;
    }

    private static String inline(String line) {
        StringBuilder out = new StringBuilder();
        Matcher m = INLINE.matcher(line);
        int at = 0;
        while (m.find()) {
            out.append(escape(line.substring(at, m.start())));
            if (m.group(1) != null) {
                out.append('`').append(m.group(1).replace("\\", "\\\\").replace("`", "\\`")).append('`');
            } else if (m.group(2) != null) {
                out.append('*').append(escape(m.group(2))).append('*');
            } else {
                out.append('[').append(escape(m.group(3))).append("](")
                        .append(m.group(4).replace("\\", "\\\\").replace(")", "\\)")).append(')');
            }
            at = m.end();
        }
        return out.append(escape(line.substring(at))).toString();
    }
}
