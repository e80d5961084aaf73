package io.twa4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import io.twa4j.core.io.AtomicFiles;
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
import java.util.stream.Stream;

/**
 * A run directory: {@code run.json} (the configuration), {@code metrics.jsonl} (one JSON object
 * per epoch and phase), {@code snapshots/} and results.
 */
final class RunDirectory {

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
                            + " choose another --run or pass --overwrite");
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
        if (!Schedules.NAMES.contains(c.schedule())) {
            return "'schedule' must be one of " + String.join(", ", Schedules.NAMES) + ", not " + quote(c.schedule());
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

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) throws IOException {
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
