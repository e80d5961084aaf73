package io.twa4j.run.check;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.run.RunError;
import io.twa4j.run.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Refuses to start a run whose directory's file system lacks room for what the run will write,
 * rather than failing hours later on a full disk.
 *
 * <p>The estimate: {@code (epochs × snapshots-per-epoch + 1)} snapshot files, each bounded by
 * {@link SnapshotStore#fileBytesAtMost} (every parameter as float32, plus the header), when
 * snapshot files are kept; one weights file of the same size when TWA follows, and for each of
 * SWA and EMA; the resumable states ({@link StateStore#KEEP} + 1 at the peak, each the weights,
 * the momentum buffers and the averages); and {@value
 * #RUN_FILES_BYTES} bytes for run.json, metrics.jsonl, manifests, CSV, JSON and plots. The free
 * space is the usable space of the file store holding the run directory (or its nearest existing
 * parent), plus what {@code --overwrite} will delete from it first.
 */
public final class DiskSpace {

    /** A generous allowance for the small files of a run (configuration, metrics, manifests, plots). */
    public static final long RUN_FILES_BYTES = 4_000_000L;

    /** Where the free space of a directory comes from. */
    @FunctionalInterface
    public interface FreeSpace {
        /** The bytes this process can still write to the file store of {@code existingDirectory}. */
        long usableBytes(Path existingDirectory) throws IOException;
    }

    /** The file store's usable space, as the operating system reports it. */
    public static final FreeSpace FILE_STORE = dir -> Files.getFileStore(dir).getUsableSpace();

    private static volatile FreeSpace freeSpace = FILE_STORE;

    private DiskSpace() {}

    /**
     * Replaces the source of free space and returns the previous one; tests use it to simulate a
     * full disk (restore the previous source afterwards).
     */
    public static FreeSpace useFreeSpace(FreeSpace source) {
        FreeSpace previous = freeSpace;
        freeSpace = source == null ? FILE_STORE : source;
        return previous;
    }

    /**
     * What a run will write.
     *
     * @param snapshots the number of snapshot files
     * @param snapshotBytes an upper bound on one snapshot file's size
     * @param resultBytes the TWA, SWA and EMA weights files (0 without them)
     * @param stateBytes the resumable states at their peak (0 for a run that keeps none)
     */
    public record Estimate(int snapshots, long snapshotBytes, long resultBytes, long stateBytes) {

        /** Everything, small files included. */
        public long total() {
            return snapshots * snapshotBytes + resultBytes + stateBytes + RUN_FILES_BYTES;
        }

        /** "21 snapshots of 58 MB and a TWA result of 58 MB". */
        public String describe() {
            String files = snapshots == 0 ? "" : snapshots + " snapshot" + (snapshots == 1 ? "" : "s") + " of " + size(snapshotBytes);
            if (resultBytes > 0) {
                files += (files.isEmpty() ? "" : " and ") + "results of " + size(resultBytes);
            }
            if (stateBytes > 0) {
                files += (files.isEmpty() ? "" : " and ") + "resumable states of " + size(stateBytes);
            }
            return files.isEmpty() ? "its metrics" : files;
        }
    }

    /**
     * The estimate for a run of {@code block} under {@code config} that writes {@code snapshots}
     * snapshot files and, when {@code twaName} is not null, goes into TWA on an in-memory basis.
     */
    public static Estimate estimate(Block block, RunConfig config, int snapshots, String twaName) {
        Map<String, NDArray> tensors = ParameterLayout.all(block).arraysByName();
        long snapshotBytes = SnapshotStore.fileBytesAtMost(tensors);
        long resultBytes = twaName == null ? 0
                : SafeTensors.fileBytes(tensors, Map.of("model", config.model().model(), "twa", twaName));
        int averages = (config.swa() == null ? 0 : 1) + (config.ema() == null ? 0 : 1);
        resultBytes += averages * snapshotBytes;
        // a state holds the weights, the momentum buffers and each average; KEEP of them, plus one being written
        long stateBytes = twaName != null ? 0 : (StateStore.KEEP + 1L) * (2 + averages) * snapshotBytes;
        return new Estimate(snapshots, snapshotBytes, resultBytes, stateBytes);
    }

    /**
     * Refuses, with one line giving the estimate and the free space, when {@code runDir}'s file
     * system has less room than {@code estimate}. When the free space cannot be determined the
     * run goes ahead.
     *
     * @param overwrite whether the run will first empty an existing {@code runDir} (its contents count as free)
     * @throws RunError (input) when the disk is too full
     */
    public static void require(Path runDir, boolean overwrite, Estimate estimate) {
        Path existing = runDir.toAbsolutePath().normalize();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        long free;
        long reclaimed;
        try {
            free = freeSpace.usableBytes(existing);
            reclaimed = overwrite && Files.isDirectory(runDir) ? treeBytes(runDir) : 0;
        } catch (IOException | SecurityException e) {
            return; // cannot tell: let the run try
        }
        if (estimate.total() > free + reclaimed) {
            throw RunError.input("run needs about " + size(estimate.total()) + " for " + estimate.describe() + "; "
                    + existing + " has " + size(free) + " free"
                    + (reclaimed > 0 ? " (" + size(reclaimed) + " more once --overwrite empties " + runDir + ")" : "")
                    + "; free some space or choose another --run");
        }
    }

    /**
     * The check before a method on a run (TWA, a soup): the result's weights file and its states
     * ({@link StateStore#KEEP} + 1 at the peak, each about one weights file) must fit beside the run.
     */
    public static void requireForMethod(Path runDir, Block block) {
        long weights = SnapshotStore.fileBytesAtMost(ParameterLayout.all(block).arraysByName());
        require(runDir, false, new Estimate(0, weights, weights, (StateStore.KEEP + 1L) * weights));
    }

    /** A byte count in decimal units, two or three significant digits: "512 bytes", "4.2 kB", "58 MB", "1.2 GB". */
    public static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double value = bytes;
        int unit = -1;
        while (value >= 999.5 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 9.95 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    }

    private static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                total += Files.size(file);
            }
            return total;
        }
    }
}
