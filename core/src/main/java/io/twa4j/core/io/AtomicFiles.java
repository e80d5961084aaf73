package io.twa4j.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files all-or-nothing: readers see the old contents or the complete new contents, never a
 * partial file, and a failed write leaves nothing behind.
 *
 * <p>The contents go to a hidden temporary file in the target's directory ({@code
 * .NAME.RANDOM.tmp}), are forced to the device, and the temporary file is then renamed over the
 * target with {@link StandardCopyOption#ATOMIC_MOVE}; finally the directory itself is synced so
 * that the rename survives a crash. If anything fails before the rename, the temporary file is
 * deleted and the target is untouched.
 */
public final class AtomicFiles {

    private static final int BUFFER_BYTES = 1 << 16;
    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Writes the contents of a file to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        /** Writes to {@code target}. */
        void accept(T target) throws IOException;
    }

    /**
     * Replaces {@code target} atomically with what {@code body} writes.
     *
     * <p>The stream handed to {@code body} is buffered; {@code body} need not (and should not)
     * close it. Whatever {@code body} throws is rethrown unchanged after the temporary file is
     * removed.
     *
     * @param target the file to create or replace; its directory must exist
     * @param body writes the new contents
     * @return the size and SHA-256 of the bytes written, computed while writing
     * @throws IOException if the file cannot be written or renamed (the target is then unchanged)
     */
    public static FileDigest write(Path target, IOConsumer<? super OutputStream> body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = createTemp(dir, target.getFileName().toString());
        try {
            MessageDigest sha = FileDigest.sha256();
            long bytes;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                CountingOutputStream counted = new CountingOutputStream(Channels.newOutputStream(channel));
                OutputStream out = new BufferedOutputStream(new DigestOutputStream(counted, sha), BUFFER_BYTES);
                body.accept(new UncloseableOutputStream(out));
                out.flush();
                bytes = counted.count;
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
            return new FileDigest(bytes, HexFormat.of().formatHex(sha.digest()));
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    /**
     * Replaces {@code target} atomically with {@code text} in UTF-8.
     *
     * @return the size and SHA-256 of the bytes written
     * @throws IOException if the file cannot be written or renamed (the target is then unchanged)
     */
    public static FileDigest writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return write(target, out -> out.write(bytes));
    }

    /** Whether {@code file} looks like a temporary file left by {@link #write} (after a crash). */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** A new, empty file next to the target, created with the process's default permissions. */
    private static Path createTemp(Path dir, String targetName) throws IOException {
        while (true) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path temp = dir.resolve("." + targetName + "." + random + TEMP_SUFFIX);
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                // a one in 2^64 clash: pick another name
            }
        }
    }

    /** Syncs a directory's entries where the platform allows opening a directory (Linux does). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can sync a directory; the rename itself was atomic.
        }
    }

    /**
     * Counts the bytes that reach the file, and hands them on in pieces of at most {@value
     * #MAX_WRITE} bytes: NIO copies each write from a heap array through a temporary direct buffer
     * of the write's size, which it then keeps cached in the thread.
     */
    private static final class CountingOutputStream extends FilterOutputStream {
        private static final int MAX_WRITE = 1 << 20;
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int done = 0; done < len; ) {
                int n = Math.min(len - done, MAX_WRITE);
                out.write(b, off + done, n);
                done += n;
            }
            count += len;
        }
    }

    /** Keeps the body from closing the channel before it is forced. */
    private static final class UncloseableOutputStream extends FilterOutputStream {
        UncloseableOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
