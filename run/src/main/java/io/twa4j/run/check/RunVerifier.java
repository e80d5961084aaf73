package io.twa4j.run.check;

import io.twa4j.core.io.Utf8;
import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.Json;
import io.twa4j.core.io.OneLine;
import io.twa4j.core.safetensors.Entry;
import io.twa4j.core.safetensors.Header;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.FileManifest;
import io.twa4j.core.io.IntegrityException;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotException;
import io.twa4j.core.snapshot.SnapshotInfo;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.RunConfigFile;
import io.twa4j.run.state.ResumePoint;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a whole run directory and lists every problem, without stopping at the first:
 *
 * <ul>
 *   <li>{@code run.json} exists, parses, and names a model that can be built;
 *   <li>every line of {@code metrics.jsonl} is a JSON object, and the last one ends (an
 *       interrupted append leaves a cut line);
 *   <li>{@code snapshots/manifest.json} parses, and every snapshot it lists has the recorded size
 *       and SHA-256, a valid header, and the model's parameter names and shapes (those of the first
 *       good snapshot when the model cannot be built);
 *   <li>{@code results.json} parses, and every file it lists has the recorded size and SHA-256 (a
 *       {@code .safetensors} result also a valid header with the model's names and shapes);
 *   <li>no file lies in the run that no manifest lists (the lock file {@code RUN/lock} is the
 *       run's own), and no hidden file or directory (the temporary files of an interrupted write
 *       start with '.') is left behind.
 * </ul>
 *
 * <p>It takes no lock, but says when a writer holds the run's {@link RunLock}: files may then be
 * mid-write, so what a write in progress leaves (temporary and unlisted files, a {@code run.json},
 * {@code metrics.jsonl} or snapshot manifest not written yet, a cut last line of {@code
 * metrics.jsonl}, a state whose files are being replaced) is reported as {@link
 * Report#inProgress}, not as a problem. Anything else found meanwhile is still a problem (a
 * listed file that does not match its record), though one that may pass once the writer is done.
 */
public final class RunVerifier {

    /** What is wrong with a file. */
    public enum Kind {
        /** A file that should exist does not. */
        MISSING,
        /** Shorter than recorded. */
        TRUNCATED,
        /** Longer than recorded. */
        LONGER,
        /** The recorded size, another SHA-256. */
        CORRUPT,
        /** Not malformed, but does not belong to the run. */
        MISMATCH,
        /** Not valid JSON or safetensors, or not what the format requires. */
        MALFORMED,
        /** Present, but no manifest lists it. */
        UNLISTED,
        /** A leftover of an interrupted write. */
        TEMPORARY,
        /** Cannot be read. */
        UNREADABLE
    }

    /**
     * One problem.
     *
     * @param file the file, relative to the run, {@code /}-separated
     * @param index the snapshot index, or null
     * @param line the line of {@code metrics.jsonl}, or null
     * @param kind what is wrong
     * @param message one line naming the file (and index) and the problem
     */
    public record Problem(String file, Integer index, Integer line, Kind kind, String message) {}

    /**
     * The outcome.
     *
     * @param run the run directory
     * @param problems every problem found, in the order checked
     * @param metricsLines good lines of {@code metrics.jsonl}
     * @param snapshots snapshots that passed every check
     * @param results result files that passed every check
     * @param writer the process that holds the run's lock while it is checked (files may be mid-write), or null
     * @param inProgress what a write in progress leaves, found while {@code writer} holds the run: not problems
     */
    public record Report(Path run, List<Problem> problems, int metricsLines, int snapshots, int results, RunLock.Holder writer,
            List<Problem> inProgress) {
        /** Whether the run is intact (so far, when a writer holds it). */
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private static final Pattern SNAPSHOT_FILE = Pattern.compile("snapshots/(\\d{6})\\.safetensors");
    private static final String SNAPSHOT_MANIFEST = SnapshotStore.DIRECTORY + "/" + SnapshotStore.MANIFEST;

    private final Path root;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> vouched = new HashSet<>();
    /** Problems a write in progress leaves besides temporary and unlisted files. */
    private final Set<Problem> passing = new HashSet<>();
    private Map<String, Shape> model;
    private String modelName;
    private boolean snapshotsUnchecked;
    private boolean resultsUnchecked;
    private int metricsLines;
    private int snapshots;
    private int results;

    private RunVerifier(Path root) {
        this.root = root;
    }

    /**
     * Checks the run at {@code root}.
     *
     * @throws RunError (input) if {@code root} is not a directory
     */
    public static Report verify(Path root) {
        if (!Files.isDirectory(root)) {
            throw RunError.input("no run directory at " + root);
        }
        RunLock.Holder writer = RunLock.holder(root).orElse(null);
        RunVerifier v = new RunVerifier(root);
        v.checkConfig();
        v.checkMetrics();
        v.checkSnapshots();
        v.checkResults();
        v.checkStates();
        v.checkTree(root);
        List<Problem> problems = new ArrayList<>();
        List<Problem> inProgress = new ArrayList<>();
        for (Problem problem : v.problems) {
            (writer != null && v.leftByAWrite(problem) ? inProgress : problems).add(problem);
        }
        return new Report(root, List.copyOf(problems), v.metricsLines, v.snapshots, v.results, writer, List.copyOf(inProgress));
    }

    /**
     * Whether a write in progress leaves {@code problem}: a temporary or unlisted file, a
     * bookkeeping file not written yet, a cut last line of {@code metrics.jsonl}, a state being
     * replaced.
     */
    private boolean leftByAWrite(Problem problem) {
        return problem.kind() == Kind.TEMPORARY || problem.kind() == Kind.UNLISTED || passing.contains(problem)
                || problem.kind() == Kind.MISSING && Set.of(RunDirectory.CONFIG, RunDirectory.METRICS, SNAPSHOT_MANIFEST).contains(problem.file());
    }

    /** The resumable states: each state's tensors must match its record; intact ones vouch for both files. */
    private void checkStates() {
        Path directory = root.resolve(ResumePoint.DIRECTORY);
        checkStates(directory);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(Files::isDirectory).sorted().forEach(this::checkStates); // an interrupted TWA's states
            } catch (IOException e) {
                problem(ResumePoint.DIRECTORY, Kind.UNREADABLE, directory + ": cannot list: " + IoMessages.reason(e));
            }
        }
    }

    private void checkStates(Path directory) {
        StateStore states = new StateStore(directory);
        StateStore.Check check = states.checkAll();
        for (StateStore.Saved state : check.intact()) {
            vouched.add(relative(state.file()));
            vouched.add(relative(states.recordOf(state)));
        }
        for (String problem : check.problems()) {
            Problem damaged = new Problem(relative(directory), null, null, Kind.CORRUPT, problem + " (--resume skips it)");
            problems.add(damaged);
            passing.add(damaged); // a state being written or pruned
        }
    }

    private void checkConfig() {
        Path file = root.resolve(RunDirectory.CONFIG);
        if (!Files.exists(file)) {
            problem(RunDirectory.CONFIG, Kind.MISSING, file + " is missing: the run's configuration is lost");
            return;
        }
        RunConfig config;
        try {
            config = RunConfigFile.read(file);
        } catch (RunError e) {
            problem(RunDirectory.CONFIG, Kind.MALFORMED, e.getMessage() + "; snapshots are compared with the first good one instead");
            return;
        }
        try (Workspace workspace = Workspace.open(config, Device.cpu())) {
            model = ParameterLayout.all(workspace.block()).shapesByName();
            modelName = "model " + config.model().model();
        } catch (RuntimeException e) {
            problem(RunDirectory.CONFIG, Kind.MISMATCH, file + ": its model " + config.model().model() + " cannot be built ("
                    + OneLine.firstLine(e.getMessage()) + "); snapshots are compared with the first good one instead");
        }
    }

    private void checkMetrics() {
        Path file = root.resolve(RunDirectory.METRICS);
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = Utf8.decodeStrictly(bytes);
        } catch (java.nio.file.NoSuchFileException e) {
            problem(RunDirectory.METRICS, Kind.MISSING, file + " is missing: no epoch was recorded");
            return;
        } catch (CharacterCodingException e) {
            problem(RunDirectory.METRICS, Kind.MALFORMED, file + " is not valid UTF-8");
            return;
        } catch (IOException e) {
            problem(RunDirectory.METRICS, Kind.UNREADABLE, file + ": cannot read: " + IoMessages.reason(e));
            return;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int number = i + 1;
            if (i == lines.length - 1) {
                if (!line.isEmpty()) {
                    lineProblem(number, file + " line " + number + " is cut short (no line end): an interrupted append");
                    passing.add(problems.get(problems.size() - 1)); // or an append in progress
                }
                break;
            }
            if (line.isBlank()) {
                lineProblem(number, file + " line " + number + " is empty");
                continue;
            }
            try {
                JsonNode node = Json.TREE.readTree(line);
                if (node == null || !node.isObject()) {
                    lineProblem(number, file + " line " + number + " is not a JSON object");
                    continue;
                }
            } catch (JacksonException e) {
                lineProblem(number, file + " line " + number + " is not valid JSON: " + Json.problem(e));
                continue;
            }
            metricsLines++;
        }
    }

    private void checkSnapshots() {
        Path dir = root.resolve(SnapshotStore.DIRECTORY);
        if (!Files.exists(dir)) {
            return;
        }
        vouched.add(SNAPSHOT_MANIFEST);
        SnapshotStore store;
        try {
            store = SnapshotStore.open(root);
        } catch (SnapshotException e) {
            long files = countSnapshotFiles(dir);
            Kind kind = Files.exists(dir.resolve(SnapshotStore.MANIFEST)) ? Kind.MALFORMED : Kind.MISSING;
            problem(SNAPSHOT_MANIFEST, kind, e.getMessage()
                    + (files > 0 ? "; its " + files + " snapshot files cannot be checked without it" : ""));
            snapshotsUnchecked = true;
            return;
        }
        Map<String, Shape> reference = model;
        String referenceName = modelName;
        for (SnapshotInfo info : store.list()) {
            int i = info.index();
            String relative = SnapshotStore.DIRECTORY + "/" + info.file();
            Path file = store.directory().resolve(info.file());
            vouched.add(relative);
            String prefix = "snapshot " + i + ": ";
            try {
                FileManifest.check(file, info.digest(), "the snapshot manifest");
            } catch (IntegrityException e) {
                problems.add(new Problem(relative, i, null, kind(e), prefix + e.getMessage()));
                continue;
            }
            Header header;
            try {
                header = SafeTensors.readHeader(file);
            } catch (SnapshotException e) {
                problems.add(new Problem(relative, i, null, Kind.MALFORMED, prefix + e.getMessage()));
                continue;
            }
            if (reference == null) {
                reference = shapes(header);
                referenceName = "snapshot " + i;
            }
            String mismatch = compare(header, reference, referenceName);
            if (mismatch != null) {
                problems.add(new Problem(relative, i, null, Kind.MISMATCH,
                        prefix + file + " does not match " + referenceName + ": " + mismatch));
                continue;
            }
            snapshots++;
        }
    }

    private void checkResults() {
        FileManifest manifest = FileManifest.at(root.resolve(RunDirectory.RESULTS), root);
        if (!manifest.exists()) {
            return;
        }
        vouched.add(RunDirectory.RESULTS);
        SortedMap<String, FileDigest> entries;
        try {
            entries = manifest.entries();
        } catch (IntegrityException e) {
            problem(RunDirectory.RESULTS, kind(e), e.getMessage() + "; the result files cannot be checked without it");
            resultsUnchecked = true;
            return;
        }
        for (Map.Entry<String, FileDigest> entry : entries.entrySet()) {
            String relative = entry.getKey();
            Path file = root.resolve(relative);
            vouched.add(relative);
            try {
                FileManifest.check(file, entry.getValue(), RunDirectory.RESULTS);
            } catch (IntegrityException e) {
                problem(relative, kind(e), e.getMessage());
                continue;
            }
            if (relative.endsWith(".safetensors")) {
                try {
                    Header header = SafeTensors.readHeader(file);
                    String mismatch = model == null ? null : compare(header, model, modelName);
                    if (mismatch != null) {
                        problem(relative, Kind.MISMATCH, file + " does not match " + modelName + ": " + mismatch);
                        continue;
                    }
                } catch (SnapshotException e) {
                    problem(relative, Kind.MALFORMED, e.getMessage());
                    continue;
                }
            }
            results++;
        }
    }

    /** Every entry under {@code dir}, in name order: unlisted files, hidden leftovers, odd entries. */
    private void checkTree(Path dir) {
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return; // gone since its parent was listed (a writer's result directory moved into place)
        } catch (IOException e) {
            problem(relative(dir), Kind.UNREADABLE, dir + ": cannot list: " + IoMessages.reason(e));
            return;
        }
        for (Path path : entries) {
            String relative = relative(path);
            String name = path.getFileName().toString();
            boolean directory = Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || relative.equals(RunLock.FILE) && Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue; // gone since the listing (a writer's temporary file), or the run's lock file
            }
            if (name.startsWith(".")) {
                if (AtomicFiles.isTemporary(path) || name.contains(".partial-")) {
                    problem(relative, Kind.TEMPORARY, path + " is a leftover " + (directory ? "directory" : "temporary file")
                            + " of an interrupted write; delete it");
                } else {
                    problem(relative, Kind.UNLISTED, path + " is a hidden " + (directory ? "directory" : "file")
                            + " that twa4j did not write");
                }
            } else if (directory) {
                checkTree(path);
            } else if (!Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                problem(relative, Kind.UNLISTED, path + " is not a regular file (a link or a device); a run holds only files it wrote");
            } else if (!vouched.contains(relative) && !relative.equals(RunDirectory.CONFIG) && !relative.equals(RunDirectory.METRICS)) {
                boolean inSnapshots = relative.startsWith(SnapshotStore.DIRECTORY + "/");
                if (inSnapshots ? snapshotsUnchecked : resultsUnchecked) {
                    continue; // reported with the damaged manifest
                }
                Matcher m = SNAPSHOT_FILE.matcher(relative);
                Integer index = m.matches() ? Integer.valueOf(m.group(1)) : null;
                String where = inSnapshots ? "the snapshot manifest" : RunDirectory.RESULTS;
                problems.add(new Problem(relative, index, null, Kind.UNLISTED, (index == null ? "" : "snapshot " + index + ": ")
                        + path + " is not listed in " + where + "; nothing vouches for it"));
            }
        }
    }

    /** The first difference between a file's tensors and the expected names and shapes, or null when they agree. */
    private static String compare(Header header, Map<String, Shape> expected, String expectedName) {
        List<String> differences = new ArrayList<>();
        for (Entry entry : header.tensors()) {
            Shape want = expected.get(entry.name());
            if (want == null) {
                differences.add("it has parameter " + entry.name() + " that " + expectedName + " lacks");
            } else if (!want.equals(entry.shape())) {
                differences.add("parameter " + entry.name() + " has shape " + entry.shape() + " instead of " + want);
            }
        }
        Set<String> present = new HashSet<>(header.names());
        for (String name : expected.keySet()) {
            if (!present.contains(name)) {
                differences.add("it lacks parameter " + name);
            }
        }
        if (differences.isEmpty()) {
            return null;
        }
        int more = differences.size() - 1;
        return differences.get(0) + (more == 0 ? "" : String.format(Locale.ROOT, " (and %d more difference%s)", more, more == 1 ? "" : "s"));
    }

    private static Map<String, Shape> shapes(Header header) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        header.tensors().forEach(e -> shapes.put(e.name(), e.shape()));
        return shapes;
    }

    private static Kind kind(IntegrityException e) {
        return switch (e.kind()) {
            case MISSING -> Kind.MISSING;
            case TRUNCATED -> Kind.TRUNCATED;
            case LONGER -> Kind.LONGER;
            case CORRUPT -> Kind.CORRUPT;
            case UNLISTED -> Kind.UNLISTED;
            case BAD_MANIFEST -> Kind.MALFORMED;
            case IO -> Kind.UNREADABLE;
        };
    }

    private static long countSnapshotFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("\\d{6}\\.safetensors")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private String relative(Path path) {
        return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
    }

    private void problem(String file, Kind kind, String message) {
        problems.add(new Problem(file, null, null, kind, message));
    }

    private void lineProblem(int line, String message) {
        problems.add(new Problem(RunDirectory.METRICS, null, line, Kind.MALFORMED, message));
    }

}
