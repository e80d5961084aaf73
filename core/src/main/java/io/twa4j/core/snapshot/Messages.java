package io.twa4j.core.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.twa4j.core.io.IoMessages;
import java.io.IOException;

/** One-line error messages for damaged or unreadable files. */
final class Messages {

    private Messages() {}

    /** A {@link SnapshotException} "{@code source}: {@code problem}", line breaks made spaces. */
    static SnapshotException fail(String source, String problem) {
        return new SnapshotException((source + ": " + problem).replaceAll("[\\r\\n\\u0085\\u2028\\u2029]", " "));
    }

    /**
     * {@code s} in single quotes, fit for a one-line message: control characters escaped, at most
     * 80 characters (a name from a damaged file can be anything).
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && b.length() <= 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || Character.isSurrogate(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() > 80) {
            b.setLength(77);
            b.append("...");
        }
        return b.append('\'').toString();
    }

    /** Jackson's message in one line, without the source excerpt, with the line and column. */
    static String jsonProblem(IOException e) {
        String m = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (m == null) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            m += " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")";
        }
        return m;
    }

    /** An I/O failure in a few words, without class names (see {@link IoMessages#reason}). */
    static String io(IOException e) {
        return IoMessages.reason(e);
    }

    /** The first line of {@code message} ("" for none). */
    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
