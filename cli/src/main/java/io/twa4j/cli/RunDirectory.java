package io.twa4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.FileManifest;
import io.twa4j.core.io.IntegrityException;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.models.ModelZoo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run directory: {@code run.json} (the configuration), {@code metrics.jsonl} (one JSON object
 * per epoch and phase), {@code snapshots/} (with their own manifest), and results, each listed
 * with its size and SHA-256 in {@code results.json} (see {@link #writeResult}).
 */
final class RunDirectory {

    /** The configuration file. */
    static final String CONFIG = "run.json";

    /** The metrics file, one JSON object per line. */
    static final String METRICS = "metrics.jsonl";

    /**
     * The manifest of the run's result files ({@link FileManifest}): every file the run writes
     * besides its configuration, metrics and snapshots.
     */
    static final String RESULTS = "results.json";

    /** Names that are the run's own bookkeeping, never results. */
    private static final Set<String> RESERVED = Set.of(CONFIG, METRICS, RESULTS, SnapshotStore.DIRECTORY);

    private static final Pattern SNAPSHOT_FILE = Pattern.compile("(\\d{6})\\.safetensors");

    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /**
     * Prepares {@code root} for a new run: creates it, or, when it exists and is not empty,
     * refuses unless {@code overwrite} (then empties it).
     */
    static RunDirectory create(Path root, boolean overwrite) {
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw UserError.badInput("run directory " + root + " exists and is not a directory");
            }
            if (Files.isDirectory(root) && !isEmpty(root)) {
                if (!overwrite) {
                    throw UserError.usage("run directory " + root + " already exists and is not empty;"
                            + " choose another --run, pass --resume to continue it, or --overwrite to replace it");
                }
                deleteContents(root);
            }
            Files.createDirectories(root);
            return new RunDirectory(root);
        } catch (IOException e) {
            throw UserError.badInput("cannot prepare run directory " + root + ": " + IoMessages.reason(e));
        }
    }

    /** Opens an existing run; fails clearly when {@code run.json} is missing. */
    static RunDirectory open(Path root) {
        if (!Files.isRegularFile(root.resolve("run.json"))) {
            throw UserError.badInput("no run at " + root + " (run.json is missing); pass the --run directory of a twa4j train");
        }
        return new RunDirectory(root);
    }

    Path root() {
        return root;
    }

    Path resolve(String name) {
        return root.resolve(name);
    }

    /** The manifest of the run's result files, {@code RUN/results.json}. */
    FileManifest results() {
        return FileManifest.at(root.resolve(RESULTS), root);
    }

    /** Writes one result file; see {@link #writeResult}. */
    @FunctionalInterface
    interface ResultWriter {
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
     * @throws UserError (bad input) if {@code results.json} is damaged or cannot be written
     */
    Path writeResult(String relativePath, ResultWriter writer) {
        Path file = resultPath(relativePath);
        FileManifest results = results();
        recording(() -> results.forget(file));
        FileDigest digest;
        try {
            Files.createDirectories(file.getParent());
            digest = writer.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        recording(() -> {
            results.record(file, digest);
            return digest;
        });
        return file;
    }

    /**
     * Records a result file that is already complete and in place, hashing it now; prefer {@link
     * #writeResult}, which records the digest computed while writing.
     *
     * @return the recorded size and SHA-256
     * @throws IllegalArgumentException if {@code file} is not a result file of this run
     * @throws UserError (bad input) if the file cannot be read or {@code results.json} is damaged
     */
    FileDigest recordResult(Path file) {
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
    void forgetResults(Path path) {
        recording(() -> results().forget(path));
    }

    /**
     * Records every regular file under the result directory {@code directory} (after removing
     * the directory's old entries), in path order; call it once the directory is in place.
     *
     * @throws UserError (bad input) if a file cannot be read or {@code results.json} is damaged
     */
    void recordResults(Path directory) {
        FileManifest results = results();
        recording(() -> results.forget(directory));
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                recording(() -> results.record(file));
            }
        } catch (IOException e) {
            throw UserError.badInput("cannot list the result directory " + directory + ": " + e.getMessage());
        }
    }

    /**
     * Checks a file the CLI is about to read when it lies inside this run: a snapshot file against
     * the snapshot manifest, anything else against {@code results.json}. A file outside the run is
     * left alone (nothing vouches for it).
     *
     * @throws UserError (bad input) naming the file if it is in the run but unlisted, missing,
     *     truncated or changed
     * @throws io.twa4j.core.snapshot.SnapshotException naming the index and file for a damaged snapshot
     */
    void checkBeforeRead(Path file) {
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
            throw UserError.badInput(file + " is in the run's snapshot directory but not listed in its manifest;"
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
            throw UserError.badInput(e.getMessage());
        }
    }

    void writeConfig(RunConfig config) {
        try {
            AtomicFiles.writeString(root.resolve("run.json"), Json.MAPPER.writeValueAsString(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + root.resolve("run.json"), e);
        }
    }

    /**
     * Reads and checks {@code run.json}: strict JSON holding every field of {@link RunConfig}, each
     * with a value that {@code train} could have written (known names, positive sizes, the
     * dataset's classes and image shape, a model that takes those images). A hand-edited or
     * damaged file is refused here, naming the file, rather than failing later in the engine.
     * A changed value that is still valid (another seed, another learning rate) cannot be told
     * from the original: the file has no checksum.
     *
     * @throws UserError (bad input) "RUN/run.json: what is wrong"
     */
    RunConfig readConfig() {
        Path file = root.resolve("run.json");
        RunConfig config;
        try {
            config = Json.STRICT.readValue(file.toFile(), RunConfig.class);
        } catch (JacksonException e) {
            throw UserError.badInput(file + ": not a valid run configuration: " + Json.problem(e));
        } catch (IOException e) {
            throw UserError.badInput(file + ": cannot read: " + IoMessages.reason(e));
        }
        if (config == null) {
            throw UserError.badInput(file + ": not a valid run configuration: it holds null, not a JSON object");
        }
        String problem = problem(config);
        if (problem != null) {
            throw UserError.badInput(file + ": " + problem.replaceAll("[\\r\\n\\u0085\\u2028\\u2029]", " "));
        }
        return config;
    }

    /** What is wrong with a configuration read from a file, or null if nothing is. */
    private static String problem(RunConfig c) {
        if (c.command() == null || !c.command().matches("[a-z][a-z-]*")) {
            return "'command' must name a twa4j command, not " + quote(c.command());
        }
        String data;
        try {
            data = Datasets.canonicalName(c.data());
        } catch (DatasetException e) {
            return "'data': " + e.getMessage();
        }
        if (c.dataDir() != null) {
            try {
                Path.of(c.dataDir());
            } catch (InvalidPathException e) {
                return "'data_dir' " + quote(c.dataDir()) + " is not a path";
            }
        }
        if (c.trainLimit() != null && c.trainLimit() < 1 || c.testLimit() != null && c.testLimit() < 1) {
            return "'train_limit' and 'test_limit' must be null or positive, not " + c.trainLimit() + " and " + c.testLimit();
        }
        try {
            ModelZoo.canonicalName(c.model());
        } catch (IllegalArgumentException e) {
            return "'model': " + e.getMessage();
        }
        if (c.classes() != Datasets.numClasses(data)) {
            return "'classes' is " + c.classes() + ", but 'data' " + data + " has " + Datasets.numClasses(data);
        }
        List<Integer> shape = Arrays.stream(Datasets.imageShape(data).getShape()).mapToObj(d -> (int) d).toList();
        if (!shape.equals(c.inputShape())) {
            return "'input_shape' is " + c.inputShape() + ", but 'data' " + data + " has images of " + shape;
        }
        try {
            ModelZoo.checkInputShape(c.model(), Datasets.imageShape(data));
        } catch (IllegalArgumentException e) {
            return "'model' " + c.model() + " does not fit 'data' " + data + ": " + e.getMessage();
        }
        if (c.epochs() < 1 || c.batchSize() < 1 || c.evalBatchSize() < 1 || c.snapshotsPerEpoch() < 1) {
            return "'epochs', 'batch_size', 'eval_batch_size' and 'snapshots_per_epoch' must be positive, not "
                    + c.epochs() + ", " + c.batchSize() + ", " + c.evalBatchSize() + " and " + c.snapshotsPerEpoch();
        }
        if (!(c.lr() > 0) || Double.isInfinite(c.lr())) {
            return "'lr' must be a positive number, not " + c.lr();
        }
        if (!(c.momentum() >= 0 && c.momentum() < 1)) {
            return "'momentum' must be in [0, 1), not " + c.momentum();
        }
        if (!(c.wd() >= 0) || Double.isInfinite(c.wd())) {
            return "'wd' must be zero or positive, not " + c.wd();
        }
        if (c.swa() != null || Schedules.SWA.equals(c.schedule())) {
            if (c.swa() == null || !Schedules.SWA.equals(c.schedule())) {
                return "'schedule' is \"swa\" exactly when 'swa' holds the SWA settings, not " + quote(c.schedule()) + " with " + c.swa();
            }
            RunConfig.Swa swa = c.swa();
            if (swa.start() < 1 || swa.cEpochs() < 1 || swa.evalFreq() < 1 || !(swa.lr() > 0) || Double.isInfinite(swa.lr())) {
                return "'swa' needs positive start, c_epochs, eval_freq and lr, not " + swa;
            }
        } else if (c.schedule() == null || !Schedules.NAMES.contains(c.schedule())) { // List.of(...).contains(null) throws
            return "'schedule' must be one of " + String.join(", ", Schedules.NAMES) + ", not " + quote(c.schedule());
        }
        if (c.ema() != null && !(c.ema().decay() >= 0 && c.ema().decay() < 1)) {
            return "'ema' decay must be in [0, 1), not " + c.ema().decay();
        }
        if (c.milestones() == null || c.milestones().stream().anyMatch(f -> f == null || !(f > 0 && f < 1))) {
            return "'milestones' must be fractions in (0, 1), not " + c.milestones();
        }
        if (c.device() != null && !c.device().equals("cpu") && !c.device().equals("gpu")) {
            return "'device' must be null, \"cpu\" or \"gpu\", not " + quote(c.device());
        }
        return null;
    }

    /** {@code s} in double quotes for a one-line message: at most 40 characters, control characters escaped. */
    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 40; i++) {
            char ch = s.charAt(i);
            b.append(Character.isISOControl(ch) || ch == 0x2028 || ch == 0x2029 ? String.format("\\u%04x", (int) ch) : ch);
        }
        return b.append(s.length() > 40 ? "...\"" : "\"").toString();
    }

    /** Appends one JSON object as a line to {@code metrics.jsonl}. */
    void appendMetrics(Map<String, Object> line) {
        Path file = root.resolve("metrics.jsonl");
        try {
            Files.writeString(file, Json.COMPACT.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** The size of {@code metrics.jsonl} (0 before the first line). */
    long metricsBytes() {
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
    void truncateMetrics(long bytes) {
        Path file = root.resolve("metrics.jsonl");
        try {
            if (!Files.exists(file)) {
                if (bytes == 0) {
                    return;
                }
                throw UserError.badInput(file + " is missing, but the run's state records " + bytes + " bytes of it");
            }
            long size = Files.size(file);
            if (size < bytes) {
                throw UserError.badInput(file + " has " + size + " bytes, the run's state records " + bytes + " (truncated?)");
            }
            try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(bytes);
                channel.force(true);
            }
        } catch (IOException e) {
            throw UserError.badInput("cannot truncate " + file + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes {@code dir} and everything under it; nothing to do when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        deleteContents(dir);
        Files.deleteIfExists(dir);
    }

    private static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) entries.sorted((a, b) -> b.getNameCount() - a.getNameCount())::iterator) {
                if (!path.equals(dir)) {
                    Files.delete(path);
                }
            }
        }
    }
}
