package io.twa4j.core.io;

import java.util.regex.Pattern;

/**
 * Text fit for a one-line message to a user: a value from a damaged file (a key, a name) can hold
 * anything, line breaks and control characters included, and can be of any length.
 */
public final class OneLine {

    /** The longest quoted value, quotes included; longer ones end in "...". */
    private static final int MAX_QUOTED = 80;

    /** The longest {@linkplain #abbreviate abbreviated} text. */
    private static final int MAX_TEXT = 80;

    private static final Pattern LINE_BREAK = Pattern.compile("[\\r\\n\\u0085\\u2028\\u2029]");

    private OneLine() {}

    /**
     * {@code text} with every line break (CR, LF, NEL, U+2028, U+2029) made a space;
     * {@code "null"} for null.
     */
    public static String of(String text) {
        return text == null ? "null" : LINE_BREAK.matcher(text).replaceAll(" ");
    }

    /**
     * {@code value} in single quotes: control characters, surrogates, U+2028 and U+2029 escaped as
     * {@code \}{@code uXXXX}, at most 81 characters with the quotes (a longer value is cut and
     * ends in {@code ...}); {@code null} (unquoted) for null.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < value.length() && b.length() <= MAX_QUOTED; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || Character.isSurrogate(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() > MAX_QUOTED) {
            b.setLength(MAX_QUOTED - 3);
            b.append("...");
        }
        return b.append('\'').toString();
    }

    /** The text of {@code message} before its first line break ("" for null). */
    public static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        var m = LINE_BREAK.matcher(message);
        return m.find() ? message.substring(0, m.start()) : message;
    }

    /** {@code text} as is when it has at most 80 characters, else its first 77 and "...". */
    public static String abbreviate(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }
}
