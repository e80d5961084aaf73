package io.twa4j.core.snapshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.BadFileException;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.FileManifest;
import io.twa4j.core.io.IntegrityException;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.safetensors.Header;
import io.twa4j.core.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot history of a run: {@code RUN/snapshots/NNNNNN.safetensors} (six-digit index) plus
 * {@code RUN/snapshots/manifest.json}, which lists every snapshot with its training position,
 * metrics, size and SHA-256 (see {@link SnapshotInfo}).
 *
 * <p>{@link #add} writes the snapshot file atomically and then replaces the manifest atomically, so
 * after a crash the manifest lists only complete snapshots (at worst an unlisted file remains, and
 * the next {@code add} replaces it). {@link #read} checks the file's size and SHA-256 against the
 * manifest before parsing it. Every problem is a {@link SnapshotException} whose message names the
 * file (and the snapshot index) in one line.
 *
 * <p>One process writes a store; within it the methods may be called from any thread.
 */
public final class SnapshotStore {

    /** The store's directory inside a run directory. */
    public static final String DIRECTORY = "snapshots";

    /** The manifest's file name inside {@link #DIRECTORY}. */
    public static final String MANIFEST = "manifest.json";

    /** The largest manifest we read (about a million snapshots). */
    private static final long MAX_MANIFEST_BYTES = 1L << 28;

    private final Path directory;
    private final Path manifest;
    private List<SnapshotInfo> snapshots;

    private SnapshotStore(Path directory, List<SnapshotInfo> snapshots) {
        this.directory = directory;
        this.manifest = directory.resolve(MANIFEST);
        this.snapshots = List.copyOf(snapshots);
    }

    /**
     * Creates an empty store in {@code runDir} (creating the directories as needed).
     *
     * @throws SnapshotException if the run already has a manifest, or it cannot be written
     */
    public static SnapshotStore create(Path runDir) {
        Path dir = runDir.resolve(DIRECTORY);
        Path manifest = dir.resolve(MANIFEST);
        if (Files.exists(manifest)) {
            throw new SnapshotException(manifest + ": already exists; open the store instead of creating it");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SnapshotException(dir + ": cannot create the directory: " + IoMessages.reason(e), e);
        }
        SnapshotStore store = new SnapshotStore(dir, List.of());
        store.writeManifest(List.of());
        return store;
    }

    /**
     * Opens the store of {@code runDir}, reading and validating its manifest.
     *
     * @throws SnapshotException if there is no manifest, or it is unreadable or malformed
     */
    public static SnapshotStore open(Path runDir) {
        Path dir = runDir.resolve(DIRECTORY);
        Path manifest = dir.resolve(MANIFEST);
        byte[] bytes;
        try {
            if (Files.size(manifest) > MAX_MANIFEST_BYTES) {
                throw new SnapshotException(manifest + ": larger than " + MAX_MANIFEST_BYTES + " bytes; not a manifest");
            }
            bytes = Files.readAllBytes(manifest);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(runDir + " has no snapshot store (" + manifest + " does not exist)", e);
        } catch (IOException e) {
            throw new SnapshotException(manifest + ": cannot read: " + IoMessages.reason(e), e);
        }
        return new SnapshotStore(dir, Manifest.decode(manifest.toString(), bytes));
    }

    /** Whether {@code runDir} has a snapshot store (a manifest). */
    public static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(DIRECTORY).resolve(MANIFEST));
    }

    /** The directory holding the snapshot files and the manifest. */
    public Path directory() {
        return directory;
    }

    /**
     * Appends a snapshot: writes {@code tensors} (each in its own data type) as the next index, then
     * the manifest. The file's {@code __metadata__} repeats the index and position, so that a file
     * alone still says what it is.
     *
     * @param meta where in training the snapshot was taken
     * @param tensors the tensors by name, in their layout order (use an ordered map)
     * @return the new manifest entry
     * @throws IllegalArgumentException if {@code tensors} is empty or cannot be written
     * @throws SnapshotException if a file cannot be written; the store is then unchanged
     */
    public synchronized SnapshotInfo add(SnapshotMeta meta, Map<String, ? extends NDArray> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a snapshot needs at least one tensor");
        }
        int index = snapshots.size();
        String name = Manifest.fileName(index);
        Path file = directory.resolve(name);
        FileDigest digest;
        try {
            digest = SafeTensors.write(file, tensors, fileMetadata(index, meta));
        } catch (BadFileException e) {
            throw SnapshotException.of(e);
        }
        SnapshotInfo info = new SnapshotInfo(index, meta, name, digest);
        List<SnapshotInfo> next = new ArrayList<>(snapshots);
        next.add(info);
        try {
            writeManifest(next);
        } catch (SnapshotException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        snapshots = List.copyOf(next);
        return info;
    }

    /**
     * Drops the snapshots from index {@code size} on: the manifest first (atomically), then their
     * files. Resuming a run uses it to forget snapshots taken after the state it resumes from.
     *
     * @throws IllegalArgumentException if {@code size} is negative or more than the store holds
     * @throws SnapshotException if the manifest cannot be written (the store is then unchanged)
     */
    public synchronized void truncate(int size) {
        if (size < 0 || size > snapshots.size()) {
            throw new IllegalArgumentException("cannot truncate " + snapshots.size() + " snapshots to " + size);
        }
        if (size == snapshots.size()) {
            return;
        }
        List<SnapshotInfo> kept = List.copyOf(snapshots.subList(0, size));
        List<SnapshotInfo> dropped = List.copyOf(snapshots.subList(size, snapshots.size()));
        writeManifest(kept);
        snapshots = kept;
        for (SnapshotInfo info : dropped) {
            try {
                Files.deleteIfExists(directory.resolve(info.file()));
            } catch (IOException e) {
                throw new SnapshotException(directory.resolve(info.file()) + ": cannot delete: " + IoMessages.reason(e), e);
            }
        }
    }

    /**
     * An upper bound on the size of one snapshot file of {@code tensors} (as {@link #add} writes
     * it, with the longest possible index and position in its metadata); for estimating the disk
     * space a run needs.
     *
     * @throws IllegalArgumentException for a name or data type that cannot be written
     */
    public static long fileBytesAtMost(Map<String, ? extends NDArray> tensors) {
        SnapshotMeta longest = SnapshotMeta.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Double.MIN_NORMAL);
        return SafeTensors.fileBytes(tensors, fileMetadata(Integer.MAX_VALUE, longest));
    }

    /** Every snapshot, by index. */
    public synchronized List<SnapshotInfo> list() {
        return snapshots;
    }

    /** The number of snapshots. */
    public synchronized int size() {
        return snapshots.size();
    }

    /**
     * The manifest entry of snapshot {@code index}.
     *
     * @throws SnapshotException if there is no such snapshot (the message gives the valid range)
     */
    public synchronized SnapshotInfo get(int index) {
        if (index < 0 || index >= snapshots.size()) {
            String range = snapshots.isEmpty() ? "it is empty" : "it holds 0.." + (snapshots.size() - 1);
            throw new SnapshotException("snapshot " + index + " is not in " + directory + " (" + range + ")");
        }
        return snapshots.get(index);
    }

    /** The path of snapshot {@code index}'s file. */
    public Path file(int index) {
        return directory.resolve(get(index).file());
    }

    /**
     * Checks that snapshot {@code index}'s file has the size and SHA-256 the manifest records.
     *
     * @throws SnapshotException naming the index and the file if it is missing, unreadable or differs
     */
    public void verify(int index) {
        SnapshotInfo info = get(index);
        try {
            FileManifest.check(directory.resolve(info.file()), info.digest(), "the snapshot manifest");
        } catch (IntegrityException e) {
            throw new SnapshotException("snapshot " + index + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads snapshot {@code index} as FLOAT32 arrays owned by {@code manager}, after {@linkplain
     * #verify verifying} its size and SHA-256.
     *
     * @return the tensors by name, in file order
     * @throws SnapshotException naming the index and the file if it is missing, corrupt or invalid
     */
    public Map<String, NDArray> read(int index, NDManager manager) {
        verify(index);
        try {
            return SafeTensors.read(file(index), manager);
        } catch (BadFileException e) {
            throw new SnapshotException("snapshot " + index + ": " + e.getMessage(), e);
        }
    }

    /**
     * The header of snapshot {@code index} (names, dtypes, shapes), without reading or verifying
     * the data.
     */
    public Header readHeader(int index) {
        try {
            return SafeTensors.readHeader(file(index));
        } catch (BadFileException e) {
            throw new SnapshotException("snapshot " + index + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SnapshotStore[" + directory + ", " + size() + " snapshots]";
    }

    private void writeManifest(List<SnapshotInfo> list) {
        try {
            AtomicFiles.writeString(manifest, Manifest.encode(list));
        } catch (IOException e) {
            throw new SnapshotException(manifest + ": cannot write: " + IoMessages.reason(e), e);
        }
    }

    private static Map<String, String> fileMetadata(int index, SnapshotMeta meta) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("twa4j", "snapshot");
        m.put("index", Integer.toString(index));
        m.put("epoch", Integer.toString(meta.epoch()));
        m.put("step", Integer.toString(meta.step()));
        m.put("global_step", Long.toString(meta.globalStep()));
        m.put("lr", Double.toString(meta.lr()));
        return m;
    }
}
