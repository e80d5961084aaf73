package io.twa4j.run;

import io.twa4j.core.io.AtomicFiles;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.RunConfigFile;
import io.twa4j.core.io.Json;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.FileManifest;
import io.twa4j.core.io.IntegrityException;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.io.IoMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run directory: {@code run.json} (the configuration), {@code metrics.jsonl} (one JSON object
 * per epoch and phase), {@code snapshots/} (with their own manifest), and results, each listed
 * with its size and SHA-256 in {@code results.json} (see {@link #writeResult}); {@code lock} is the
 * {@link RunLock} of the process that writes it.
 */
public final class RunDirectory {

    /** The configuration file. */
    public static final String CONFIG = "run.json";

    /** The metrics file, one JSON object per line. */
    public static final String METRICS = "metrics.jsonl";

    /**
     * The manifest of the run's result files ({@link FileManifest}): every file the run writes
     * besides its configuration, metrics and snapshots.
     */
    public static final String RESULTS = "results.json";

    /** Names that are the run's own bookkeeping, never results. */
    private static final Set<String> RESERVED = Set.of(CONFIG, METRICS, RESULTS, SnapshotStore.DIRECTORY, RunLock.FILE);

    private static final Pattern SNAPSHOT_FILE = Pattern.compile("(\\d{6})\\.safetensors");

    private final Path root;
    private final boolean writes;

    private RunDirectory(Path root, boolean writes) {
        this.root = root;
        this.writes = writes;
    }

    private RunDirectory(Path root) {
        this(root, true);
    }

    /**
     * The run at {@code root} as the other ranks of a multi-worker run see it: they read it (the
     * configuration, the states to resume from, the snapshots of a TWA) while rank 0 alone writes
     * it. Every write of this view (configuration, metrics, results, states) does nothing; it does
     * not check that the run exists (rank 0 may be creating it).
     */
    public static RunDirectory follower(Path root) {
        return new RunDirectory(root, false);
    }

    /** False for a {@link #follower} view, whose writes do nothing. */
    public boolean writes() {
        return writes;
    }

    /**
     * Prepares {@code root} for a new run: creates it, or, when it exists and is not empty,
     * refuses unless {@code overwrite} (then empties it, keeping the lock file: take the run's
     * {@link RunLock} first).
     */
    public static RunDirectory create(Path root, boolean overwrite) {
        checkNew(root, overwrite);
        try {
            if (Files.isDirectory(root)) {
                deleteContents(root, root.resolve(RunLock.FILE));
            }
            Files.createDirectories(root);
            return new RunDirectory(root);
        } catch (IOException e) {
            throw RunError.input("cannot prepare run directory " + root + ": " + IoMessages.reason(e));
        }
    }

    /**
     * Refuses what {@link #create} refuses, writing nothing: a {@code root} that is not a
     * directory, or one that is not empty (its lock file aside) unless {@code overwrite}.
     *
     * @throws RunError (input) if {@code root} is not a directory; (settings) if it is not empty
     */
    public static void checkNew(Path root, boolean overwrite) {
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw RunError.input("run directory " + root + " exists and is not a directory");
            }
            if (Files.isDirectory(root) && !isEmpty(root) && !overwrite) {
                throw RunError.settings("run directory " + root + " already exists and is not empty;"
                        + " choose another --run, pass --resume to continue it, or --overwrite to replace it");
            }
        } catch (IOException e) {
            throw RunError.input("cannot prepare run directory " + root + ": " + IoMessages.reason(e));
        }
    }

    /** Opens an existing run; fails clearly when {@code run.json} is missing. */
    public static RunDirectory open(Path root) {
        if (!Files.isRegularFile(root.resolve("run.json"))) {
            throw RunError.input("no run at " + root + " (run.json is missing); pass the --run directory of a twa4j train");
        }
        return new RunDirectory(root);
    }

    public Path root() {
        return root;
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** The manifest of the run's result files, {@code RUN/results.json}. */
    public FileManifest results() {
        return FileManifest.at(root.resolve(RESULTS), root);
    }

    /** Writes one result file; see {@link #writeResult}. */
    @FunctionalInterface
    public interface ResultWriter {
        /**
         * Writes {@code file} all-or-nothing and returns the size and SHA-256 of what it wrote, as
         * {@code SafeTensors.write} and {@code AtomicFiles.write} do.
         */
        FileDigest write(Path file) throws IOException;
    }

    /**
     * Writes the result file {@code RUN/relativePath} and records it in {@code RUN/results.json},
     * so that every later reader ({@code eval --weights}, {@code verify}) checks it first. Use it
     * for every file a command leaves in a run, for example:
     *
     * <pre>{@code
     * run.writeResult("swa.safetensors", file -> SafeTensors.write(file, tensors, metadata));
     * run.writeResult("swa.json", file -> AtomicFiles.writeString(file, json));
     * }</pre>
     *
     * <p>{@code writer} must write the file it is given atomically (temporary file + rename, as
     * {@code SafeTensors.write} and {@code AtomicFiles.write} do) and return the digest computed
     * while writing; that digest is what gets recorded, so a file damaged after writing is caught.
     * The steps: the file's old entry (if any) is removed from {@code results.json}, the parent
     * directories are created, {@code writer} writes, the new entry is added. After a crash the
     * file is the old one or the new one and is at worst unlisted (which {@code verify} reports),
     * never listed with the wrong checksum.
     *
     * @param relativePath where in the run, {@code /}-separated ("swa.safetensors", "swa/ema.safetensors");
     *     not {@code run.json}, {@code metrics.jsonl}, {@code results.json} or under {@code snapshots/}
     * @return the file written
     * @throws IllegalArgumentException if {@code relativePath} leaves the run or names its bookkeeping
     * @throws UncheckedIOException if the file cannot be written (nothing is recorded then)
     * @throws RunError (input) if {@code results.json} is damaged or cannot be written
     */
    public Path writeResult(String relativePath, ResultWriter writer) {
        Path file = resultPath(relativePath);
        if (!writes) {
            return file;
        }
        FileManifest results = results();
        recording(() -> results.forget(file));
        FileDigest digest;
        try {
            Files.createDirectories(file.getParent());
            digest = writer.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + IoMessages.reason(e), e);
        }
        recording(() -> {
            results.record(file, digest);
            return digest;
        });
        return file;
    }

    /** Fills a directory with the files of a result; see {@link #writeResultDirectory}. */
    @FunctionalInterface
    public interface DirectoryWriter {
        /** Writes the result's files into {@code directory} (empty, hidden from readers until complete). */
        void write(Path directory) throws IOException;
    }

    /**
     * Writes the result directory {@code RUN/relativePath} whole or not at all: {@code writer}
     * fills a hidden temporary directory beside it ({@code .NAME.partial-*}), which then replaces
     * any old result of that name in one rename; every file is then recorded in {@code
     * results.json}. After a crash the old result or the new one is in place (at worst unlisted,
     * which {@code verify} reports), plus a temporary directory that {@code verify} names.
     *
     * @param relativePath where in the run, {@code /}-separated ("twa/p0-11")
     * @return the result directory
     * @throws UncheckedIOException if the files cannot be written (nothing is left behind then)
     */
    public Path writeResultDirectory(String relativePath, DirectoryWriter writer) {
        Path target = resultPath(relativePath);
        if (!writes) {
            return target;
        }
        try {
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
            try {
                writer.write(partial);
                forgetResults(target);
                deleteTree(target);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteTree(partial);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result " + target + ": " + IoMessages.reason(e), e);
        }
        recordResults(target);
        return target;
    }

    /**
     * Records a result file that is already complete and in place, hashing it now; prefer {@link
     * #writeResult}, which records the digest computed while writing.
     *
     * @return the recorded size and SHA-256
     * @throws IllegalArgumentException if {@code file} is not a result file of this run
     * @throws RunError (input) if the file cannot be read or {@code results.json} is damaged
     */
    public FileDigest recordResult(Path file) {
        if (!writes) {
            throw new IllegalStateException("a follower's view of run " + root + " records nothing");
        }
        Path base = root.toAbsolutePath().normalize();
        Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(base)) {
            throw new IllegalArgumentException(file + " is not inside the run " + root);
        }
        Path checked = resultPath(base.relativize(absolute).toString());
        return recording(() -> results().record(checked));
    }

    /**
     * Removes {@code path} (a result file or directory) and everything under it from {@code
     * results.json}; call it before deleting or replacing a result, so that a crash in between
     * leaves unlisted files rather than wrong checksums.
     */
    public void forgetResults(Path path) {
        if (!writes) {
            return;
        }
        recording(() -> results().forget(path));
    }

    /**
     * Records every regular file under the result directory {@code directory} (after removing
     * the directory's old entries), in path order; call it once the directory is in place.
     *
     * @throws RunError (input) if a file cannot be read or {@code results.json} is damaged
     */
    public void recordResults(Path directory) {
        if (!writes) {
            return;
        }
        FileManifest results = results();
        recording(() -> results.forget(directory));
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                recording(() -> results.record(file));
            }
        } catch (IOException e) {
            throw RunError.input("cannot list the result directory " + directory + ": " + IoMessages.reason(e));
        }
    }

    /**
     * Checks a file the CLI is about to read when it lies inside this run: a snapshot file against
     * the snapshot manifest, anything else against {@code results.json}. A file outside the run is
     * left alone (nothing vouches for it).
     *
     * @throws RunError (input) naming the file if it is in the run but unlisted, missing,
     *     truncated or changed
     * @throws io.twa4j.core.snapshot.SnapshotException naming the index and file for a damaged snapshot
     */
    public void checkBeforeRead(Path file) {
        Path base;
        Path real;
        try {
            base = root.toRealPath();
            real = file.toRealPath();
        } catch (IOException e) {
            return; // a missing file or run is reported by whoever opens it
        }
        if (!real.startsWith(base) || real.equals(base)) {
            return;
        }
        Path relative = base.relativize(real);
        if (relative.getNameCount() == 2 && relative.getName(0).toString().equals(SnapshotStore.DIRECTORY)) {
            Matcher m = SNAPSHOT_FILE.matcher(relative.getName(1).toString());
            if (m.matches() && SnapshotStore.exists(base)) {
                SnapshotStore store = SnapshotStore.open(base);
                int index = Integer.parseInt(m.group(1));
                if (index < store.size()) {
                    store.verify(index);
                    return;
                }
            }
            throw RunError.input(file + " is in the run's snapshot directory but not listed in its manifest;"
                    + " nothing vouches for it (see twa4j verify --run " + root + ")");
        }
        Path inRun = root.resolve(relative.toString()); // named as the run is, for messages
        recording(() -> results().check(inRun));
    }

    /**
     * {@code RUN/relativePath}, refused when it leaves the run, names the run's bookkeeping, or
     * has a part starting with '.' (the mark of temporary files).
     */
    private Path resultPath(String relativePath) {
        Path relative = Path.of(relativePath).normalize();
        boolean hidden = false;
        for (Path part : relative) {
            hidden |= part.toString().startsWith(".");
        }
        if (relativePath.isBlank() || relative.isAbsolute() || relative.toString().isEmpty() || relative.startsWith("..") || hidden
                || RESERVED.contains(relative.getName(0).toString())) {
            throw new IllegalArgumentException("not a result path inside the run: " + relativePath);
        }
        return root.resolve(relative);
    }

    /** Runs a manifest operation, turning its one-line problem into a bad-input error. */
    private static <T> T recording(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (IntegrityException e) {
            throw RunError.input(e.getMessage());
        }
    }

    /** Writes {@code run.json} (atomically). */
    public void writeConfig(RunConfig config) {
        if (!writes) {
            return;
        }
        RunConfigFile.write(root.resolve(CONFIG), config);
    }

    /**
     * Reads and checks {@code run.json} (see {@link RunConfigFile#read}).
     *
     * @throws RunError (input) "RUN/run.json: what is wrong"
     */
    public RunConfig readConfig() {
        return RunConfigFile.read(root.resolve(CONFIG));
    }

    /** Appends one JSON object as a line to {@code metrics.jsonl}. */
    public void appendMetrics(Map<String, Object> line) {
        if (!writes) {
            return;
        }
        Path file = root.resolve("metrics.jsonl");
        try {
            Files.writeString(file, Json.COMPACT.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** The size of {@code metrics.jsonl} (0 before the first line). */
    public long metricsBytes() {
        try {
            Path file = root.resolve("metrics.jsonl");
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + root.resolve("metrics.jsonl"), e);
        }
    }

    /**
     * Cuts {@code metrics.jsonl} back to its first {@code bytes} bytes: resuming forgets the lines
     * written after the state it resumes from.
     */
    public void truncateMetrics(long bytes) {
        Path file = root.resolve("metrics.jsonl");
        if (!writes) {
            return;
        }
        try {
            if (!Files.exists(file)) {
                if (bytes == 0) {
                    return;
                }
                throw RunError.input(file + " is missing, but the run's state records " + bytes + " bytes of it");
            }
            long size = Files.size(file);
            if (size < bytes) {
                throw RunError.input(file + " has " + size + " bytes, the run's state records " + bytes + " (truncated?)");
            }
            try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(bytes);
                channel.force(true);
            }
        } catch (IOException e) {
            throw RunError.input("cannot truncate " + file + ": " + IoMessages.reason(e));
        }
    }

    /** Whether {@code dir} holds nothing but (perhaps) a lock file. */
    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(entry -> entry.getFileName().toString().equals(RunLock.FILE) && Files.isRegularFile(entry));
        }
    }

    /** Deletes {@code dir} and everything under it; nothing to do when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        deleteContents(dir, null);
        Files.deleteIfExists(dir);
    }

    /** Deletes everything under {@code dir} but {@code keep} (or null). */
    private static void deleteContents(Path dir, Path keep) throws IOException {
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) entries.sorted((a, b) -> b.getNameCount() - a.getNameCount())::iterator) {
                if (!path.equals(dir) && !path.equals(keep)) {
                    Files.delete(path);
                }
            }
        }
    }
}
