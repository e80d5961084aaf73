package io.twa4j.core.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.Locale;

/** I/O failures in a few words for a one-line message to a user: no class names, no stack traces. */
public final class IoMessages {

    private IoMessages() {}

    /**
     * What went wrong, in words: the file system's reason ("Is a directory"), the kind of failure
     * ("access denied", "directory not empty", "unexpected end of file"), or the exception's own
     * first line.
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            // the message of a FileSystemException is mostly the path, which the caller names anyway
            return f.getReason() != null ? OneLine.firstLine(f.getReason()) : words(e.getClass().getSimpleName());
        }
        if (e instanceof EOFException) {
            return e.getMessage() == null ? "unexpected end of file" : "unexpected end of file: " + OneLine.firstLine(e.getMessage());
        }
        String message = OneLine.firstLine(e.getMessage()).strip();
        return message.isEmpty() ? words(e.getClass().getSimpleName()) : message;
    }

    /** "DirectoryNotEmptyException" as "directory not empty", "IOException" as "I/O error". */
    static String words(String className) {
        String stem = className.endsWith("Exception") ? className.substring(0, className.length() - "Exception".length()) : className;
        if (stem.isEmpty() || stem.equals("IO") || stem.equals("FileSystem")) {
            return "I/O error";
        }
        return stem.replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
    }
}
