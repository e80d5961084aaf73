package io.twa4j.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.IntegrityException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A checksummed list of the files under a root directory: a JSON file that maps each file's path
 * (relative to the root, {@code /}-separated) to its size and SHA-256, so that a file is read only
 * after it is shown to be the one that was written.
 *
 * <pre>{@code
 * {"format": "twa4j-files/1",
 *  "files": {"twa/p0-5/weights.safetensors": {"bytes": 1234, "sha256": "..."}, ...}}
 * }</pre>
 *
 * <p>Every update reads the manifest from disk, changes it, and replaces it atomically ({@link
 * AtomicFiles}), so a crash leaves the old list or the new one, and two {@code FileManifest}
 * objects of one file in one process do not lose each other's entries. Record a file after it is
 * complete and in place; {@link #check} before reading it. Every problem is an {@link
 * IntegrityException} whose message names the file in one line.
 */
public final class FileManifest {

    /** The value of {@code "format"} this code writes and reads. */
    public static final String FORMAT = "twa4j-files/1";

    /** The largest manifest we read. */
    private static final long MAX_MANIFEST_BYTES = 1L << 28;

    private static final Set<String> ROOT_KEYS = Set.of("format", "files");
    private static final Set<String> ENTRY_KEYS = Set.of("bytes", "sha256");
    private static final Object UPDATE_LOCK = new Object();

    private final Path file;
    private final Path root;

    private FileManifest(Path file, Path root) {
        this.file = file;
        this.root = root;
    }

    /**
     * The manifest {@code file} listing files under {@code root}. Nothing is read or written yet;
     * a manifest file that does not exist is an empty list.
     */
    public static FileManifest at(Path file, Path root) {
        if (file == null || root == null) {
            throw new IllegalArgumentException("the manifest file and the root are required");
        }
        return new FileManifest(file, root);
    }

    /** The manifest's own file. */
    public Path file() {
        return file;
    }

    /** The directory the listed paths are relative to. */
    public Path root() {
        return root;
    }

    /** Whether the manifest file exists. */
    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * Every entry, by relative path in sorted order; empty when the manifest file does not exist.
     *
     * @throws IntegrityException ({@link Kind#BAD_MANIFEST} or {@link Kind#IO}) if the manifest is
     *     malformed or unreadable
     */
    public SortedMap<String, FileDigest> entries() {
        return Collections.unmodifiableSortedMap(read());
    }

    /**
     * The recorded size and SHA-256 of {@code path}, if it is listed.
     *
     * @throws IllegalArgumentException if {@code path} is not under the root
     * @throws IntegrityException if the manifest is malformed or unreadable
     */
    public Optional<FileDigest> entry(Path path) {
        return Optional.ofNullable(read().get(key(path)));
    }

    /**
     * Records {@code path} with the size and SHA-256 of its contents now, replacing any entry it
     * had. Call it once the file is complete and in place.
     *
     * @return what was recorded
     * @throws IllegalArgumentException if {@code path} is not under the root or is the manifest
     * @throws IntegrityException if the file cannot be read ({@link Kind#MISSING}, {@link Kind#IO})
     *     or the manifest cannot be read or written; the manifest is then unchanged
     */
    public FileDigest record(Path path) {
        String key = key(path);
        FileDigest digest;
        try {
            digest = FileDigest.of(path);
        } catch (NoSuchFileException e) {
            throw new IntegrityException(Kind.MISSING, path, path + ": cannot record it in " + file + ": it does not exist", e);
        } catch (IOException e) {
            throw new IntegrityException(Kind.IO, path, path + ": cannot read it to record it: " + IoMessages.reason(e), e);
        }
        update(entries -> entries.put(key, digest));
        return digest;
    }

    /**
     * Records {@code path} with a size and SHA-256 computed while it was written (what {@link
     * AtomicFiles#write} returns), replacing any entry it had.
     *
     * @throws IllegalArgumentException if {@code path} is not under the root or is the manifest
     * @throws IntegrityException if the manifest cannot be read or written; it is then unchanged
     */
    public void record(Path path, FileDigest digest) {
        if (digest == null) {
            throw new IllegalArgumentException("a digest is required");
        }
        String key = key(path);
        update(entries -> entries.put(key, digest));
    }

    /**
     * Removes the entry of {@code path} and, if it names a directory, every entry under it.
     *
     * @return how many entries were removed
     * @throws IllegalArgumentException if {@code path} is not under the root
     * @throws IntegrityException if the manifest cannot be read or written; it is then unchanged
     */
    public int forget(Path path) {
        String key = key(path);
        int[] removed = {0};
        update(entries -> {
            int before = entries.size();
            entries.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "/"));
            removed[0] = before - entries.size();
        });
        return removed[0];
    }

    /**
     * Checks that {@code path} is listed and has the recorded size and SHA-256 (reading it whole).
     *
     * @return the verified digest
     * @throws IllegalArgumentException if {@code path} is not under the root
     * @throws IntegrityException naming the file when it is unlisted, missing, truncated, longer
     *     or corrupt, or the manifest is damaged
     */
    public FileDigest check(Path path) {
        FileDigest recorded = read().get(key(path));
        if (recorded == null) {
            throw new IntegrityException(Kind.UNLISTED, path, path + " is not listed in " + file
                    + ", so nothing vouches for its contents");
        }
        return check(path, recorded, file.getFileName().toString());
    }

    /**
     * Checks that {@code path} has the size and SHA-256 {@code recorded} (reading it whole); the
     * check behind {@link #check(Path)}, for lists kept elsewhere.
     *
     * @param manifestName names the record in messages ("results.json", "the manifest")
     * @return {@code recorded}
     * @throws IntegrityException naming the file when it is missing, truncated, longer or corrupt
     */
    public static FileDigest check(Path path, FileDigest recorded, String manifestName) {
        try {
            long size = Files.size(path);
            if (size < recorded.bytes()) {
                throw new IntegrityException(Kind.TRUNCATED, path, path + " is truncated: " + size + " bytes, "
                        + manifestName + " records " + recorded.bytes());
            }
            if (size > recorded.bytes()) {
                throw new IntegrityException(Kind.LONGER, path, path + " has " + size + " bytes, " + manifestName
                        + " records " + recorded.bytes() + " (replaced or appended to)");
            }
            FileDigest actual = FileDigest.of(path);
            if (!actual.equals(recorded)) {
                throw new IntegrityException(Kind.CORRUPT, path, path + " is corrupt: its SHA-256 is "
                        + actual.sha256Hex() + ", " + manifestName + " records " + recorded.sha256Hex());
            }
            return recorded;
        } catch (NoSuchFileException e) {
            throw new IntegrityException(Kind.MISSING, path, path + " is missing (" + manifestName + " lists it)", e);
        } catch (IOException e) {
            throw new IntegrityException(Kind.IO, path, path + ": cannot read: " + IoMessages.reason(e), e);
        }
    }

    /** Reads a file; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Reader<T> {
        /** Reads {@code path}. */
        T read(Path path) throws IOException;
    }

    /**
     * {@linkplain #check Checks} {@code path}, then reads it with {@code reader}.
     *
     * @throws IntegrityException if the check fails ({@code reader} is then not called) or the
     *     reader throws an {@link IOException}
     */
    public <T> T verifiedRead(Path path, Reader<T> reader) {
        check(path);
        try {
            return reader.read(path);
        } catch (IOException e) {
            throw new IntegrityException(Kind.IO, path, path + ": cannot read: " + IoMessages.reason(e), e);
        }
    }

    /**
     * The key of {@code path}: its path relative to the root, {@code /}-separated.
     *
     * @throws IllegalArgumentException if {@code path} is not strictly under the root, or is the
     *     manifest itself
     */
    public String key(Path path) {
        Path base = root.toAbsolutePath().normalize();
        Path absolute = path.toAbsolutePath().normalize();
        if (!absolute.startsWith(base) || absolute.equals(base)) {
            throw new IllegalArgumentException(path + " is not under " + root);
        }
        if (absolute.equals(file.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(path + " is the manifest itself");
        }
        return base.relativize(absolute).toString().replace(absolute.getFileSystem().getSeparator(), "/");
    }

    /** The file a key names. */
    public Path resolve(String key) {
        return root.resolve(key);
    }

    @Override
    public String toString() {
        return "FileManifest[" + file + "]";
    }

    private interface Change {
        void apply(SortedMap<String, FileDigest> entries);
    }

    private void update(Change change) {
        synchronized (UPDATE_LOCK) {
            SortedMap<String, FileDigest> entries = read();
            change.apply(entries);
            try {
                AtomicFiles.writeString(file, encode(entries));
            } catch (IOException e) {
                throw new IntegrityException(Kind.IO, file, file + ": cannot write: " + IoMessages.reason(e), e);
            }
        }
    }

    private SortedMap<String, FileDigest> read() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw bad("larger than " + MAX_MANIFEST_BYTES + " bytes; not a manifest");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException e) {
            throw new IntegrityException(Kind.IO, file, file + ": cannot read: " + IoMessages.reason(e), e);
        }
        return decode(bytes);
    }

    static String encode(SortedMap<String, FileDigest> entries) {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        ObjectNode files = root.putObject("files");
        entries.forEach((key, digest) -> digest.putInto(files.putObject(key)));
        return Json.toFileText(root);
    }

    SortedMap<String, FileDigest> decode(byte[] bytes) {
        JsonNode tree = Json.readObject(bytes, "manifest", this::bad);
        for (String key : (Iterable<String>) tree::fieldNames) {
            if (!ROOT_KEYS.contains(key)) {
                throw bad("unexpected key " + OneLine.quote(key));
            }
        }
        JsonNode format = tree.get("format");
        if (format == null || !format.isTextual() || !format.textValue().equals(FORMAT)) {
            throw bad("format is " + OneLine.abbreviate(String.valueOf(format)) + ", not \"" + FORMAT + "\"");
        }
        JsonNode files = tree.get("files");
        if (files == null || !files.isObject()) {
            throw bad("'files' is missing or not a JSON object");
        }
        SortedMap<String, FileDigest> entries = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : files.properties()) {
            String key = e.getKey();
            String where = "files[" + OneLine.quote(key) + "]";
            if (!isValidKey(key)) {
                throw bad(where + ": not a relative path inside the run");
            }
            JsonNode entry = e.getValue();
            if (!entry.isObject()) {
                throw bad(where + " is not a JSON object");
            }
            for (String k : (Iterable<String>) entry::fieldNames) {
                if (!ENTRY_KEYS.contains(k)) {
                    throw bad(where + " has an unexpected key " + OneLine.quote(k));
                }
            }
            entries.put(key, FileDigest.from(entry, where, this::bad));
        }
        return entries;
    }

    /** A relative, normalised, {@code /}-separated path without empty, "." or ".." parts. */
    private static boolean isValidKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private IntegrityException bad(String problem) {
        return new IntegrityException(Kind.BAD_MANIFEST, file, file + ": " + problem);
    }
}
