package io.twa4j.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    /** A fresh SHA-256 {@link MessageDigest} (every Java platform has one). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java platform", e);
        }
    }
}
