package io.twa4j.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The size and SHA-256 of a file's contents.
 *
 * @param bytes the number of bytes
 * @param sha256Hex the SHA-256 digest as 64 lower-case hexadecimal digits
 */
public record FileDigest(long bytes, String sha256Hex) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER_BYTES = 1 << 20;

    /** Checks that the size is non-negative and the digest is 64 lower-case hex digits. */
    public FileDigest {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        if (sha256Hex == null || !isSha256Hex(sha256Hex)) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256Hex);
        }
    }

    /** Whether {@code s} is 64 lower-case hexadecimal digits. */
    public static boolean isSha256Hex(String s) {
        return SHA256_HEX.matcher(s).matches();
    }

    /** Reads {@code file} once and returns its size and SHA-256. */
    public static FileDigest of(Path file) throws IOException {
        MessageDigest sha = sha256();
        long total = 0;
        byte[] buf = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
                total += n;
            }
        }
        return new FileDigest(total, HexFormat.of().formatHex(sha.digest()));
    }

    /** Puts this digest into {@code node} as {@code "bytes"} and {@code "sha256"}, in that order; returns {@code node}. */
    public ObjectNode putInto(ObjectNode node) {
        return node.put("bytes", bytes).put("sha256", sha256Hex);
    }

    /**
     * The digest that {@code node} holds as {@code "bytes"} (a non-negative integer) and {@code
     * "sha256"} (64 lower-case hex digits), the form {@link #putInto} writes; other keys are the
     * caller's to check.
     *
     * @param where names {@code node} in messages ({@code snapshots[3]}, {@code files['a.bin']}), or
     *     "" for a file's top level
     * @param failure makes the exception to throw from a one-line problem such as "snapshots[3] has
     *     no 'sha256'" or "'bytes' must be a non-negative integer, not -1"
     * @throws E if a key is missing or its value is not of that form
     */
    public static <E extends RuntimeException> FileDigest from(JsonNode node, String where, Function<String, E> failure) {
        JsonNode size = required(node, where, "bytes", failure);
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            throw failure.apply(key(where, "bytes") + " must be a non-negative integer, not "
                    + OneLine.abbreviate(size.toString()));
        }
        JsonNode sha = required(node, where, "sha256", failure);
        if (!sha.isTextual() || !isSha256Hex(sha.textValue())) {
            throw failure.apply(key(where, "sha256") + " must be 64 lower-case hex digits, not "
                    + OneLine.abbreviate(sha.toString()));
        }
        return new FileDigest(size.longValue(), sha.textValue());
    }

    private static <E extends RuntimeException> JsonNode required(
            JsonNode node, String where, String key, Function<String, E> failure) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw failure.apply(where.isEmpty() ? "'" + key + "' is missing" : where + " has no '" + key + "'");
        }
        return value;
    }

    private static String key(String where, String key) {
        return where.isEmpty() ? "'" + key + "'" : where + "." + key;
    }

    /** A fresh SHA-256 {@link MessageDigest} (every Java platform has one). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java platform", e);
        }
    }
}
