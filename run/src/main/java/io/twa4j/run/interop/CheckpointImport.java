package io.twa4j.run.interop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.Json;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.WeightsSource;
import io.twa4j.run.Workspace;
import io.twa4j.run.check.DiskSpace;
import io.twa4j.run.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes a run directory out of another program's checkpoints ({@code twa4j import}, {@code twa4j
 * twa --snapshots-dir}): checkpoint {@code i} of a folder (the file the pattern names with {@code
 * {i}}, e.g. the reference's {@code 0.pt .. 300.pt}) becomes snapshot {@code i} of the run, so that
 * TWA, soups, {@code eval} and {@code verify} work on it as on a run trained here.
 *
 * <p>Each checkpoint is read as {@code eval --weights} reads a file (safetensors or a PyTorch
 * {@code .pt}, in twa4j's or PyTorch's parameter names), loaded into the model (so every name and
 * shape is checked) and written as a checksummed snapshot; {@link #SOURCE} records where they came
 * from. The run's optimiser settings are the configuration's, and the snapshots' learning rate is
 * 0: they record nothing about how the checkpoints were trained.
 *
 * <pre>{@code
 * int n = CheckpointImport.run(new CheckpointImport.Request(Path.of("ckpts"), "{i}.pt", config, Path.of("runs/ref"),
 *         null, false, RunLock.Mode.EXCLUSIVE), Console.of(System.out));
 * }</pre>
 */
public final class CheckpointImport {

    /** The command an imported run records in its run.json. */
    public static final String COMMAND = "import";

    /** The record of where an imported run's snapshots came from, in the run: folder, pattern and count. */
    public static final String SOURCE = "imported.json";

    /** The placeholder of the checkpoint's index in a pattern. */
    public static final String INDEX = "{i}";

    private CheckpointImport() {}

    /**
     * What to import.
     *
     * @param folder the folder holding the checkpoints
     * @param pattern the file name of checkpoint {@code i}, with {@link #INDEX} where {@code i} stands
     * @param config the run's configuration (model, data, snapshots per epoch); its command becomes {@link #COMMAND}
     * @param runDir the run directory to create
     * @param device the device, or null for the engine's default
     * @param overwrite whether the contents of a non-empty {@code runDir} are replaced
     * @param lock how the import holds the run's {@link RunLock}
     */
    public record Request(Path folder, String pattern, RunConfig config, Path runDir, Device device, boolean overwrite,
            RunLock.Mode lock) {
        /** Checks that every part is given and the pattern names the index once. */
        public Request {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(runDir, "runDir");
            Objects.requireNonNull(lock, "lock");
            checkPattern(pattern);
        }
    }

    /**
     * Imports the checkpoints of {@code request} into a new run, holding its lock.
     *
     * @return the number of snapshots written
     * @throws RunError (settings) for a pattern without exactly one {@code {i}}; (input) for a
     *     missing folder, no matching file, a gap in the indices, or a checkpoint that cannot be
     *     read or does not fit the model (named)
     */
    public static int run(Request request, Console console) {
        List<Path> files = checkpoints(request.folder(), request.pattern());
        RunConfig config = request.config().withCommand(COMMAND);
        Device device = request.device() == null ? Engine.getInstance().defaultDevice() : request.device();
        try (Workspace workspace = Workspace.open(config, device)) {
            int steps = workspace.trainBatches().batchesPerEpoch(); // the data must be there before the run is made
            DiskSpace.require(request.runDir(), request.overwrite(), DiskSpace.estimate(workspace.block(), config, files.size(), null));
            if (!Files.exists(request.runDir().resolve(RunLock.FILE))) {
                RunDirectory.checkNew(request.runDir(), request.overwrite());
            }
            try (RunLock held = RunLock.take(request.runDir(), "twa4j " + COMMAND, request.lock(), console)) {
                RunDirectory run = RunDirectory.create(request.runDir(), request.overwrite());
                run.writeConfig(config);
                writeNoEpochs(run);
                write(files, SnapshotStore.create(run.root()), workspace, steps, console);
                recordSource(run, request.folder(), request.pattern(), files);
                console.out().printf(Locale.ROOT, "imported %d checkpoints of %s (%s) as the snapshots of %s%n", files.size(),
                        request.folder(), request.pattern(), run.root());
                return files.size();
            }
        }
    }

    /**
     * Whether the run in {@code runDir} was imported by {@link #run} from {@code pattern} in {@code
     * folder} (as {@link #SOURCE} records): then a later {@code twa --snapshots-dir} on the same
     * checkpoints uses it as it is.
     *
     * @throws RunError (input) if the run was imported from other checkpoints, or its record is damaged
     */
    public static boolean imported(Path runDir, Path folder, String pattern) {
        if (!Files.isRegularFile(runDir.resolve(RunDirectory.CONFIG))) {
            return false;
        }
        RunDirectory run = RunDirectory.open(runDir);
        Path record = run.resolve(SOURCE);
        if (!COMMAND.equals(run.readConfig().command()) || !Files.isRegularFile(record)) {
            throw RunError.input("run " + runDir + " exists and was not imported from checkpoints; choose another --run");
        }
        run.checkBeforeRead(record);
        JsonNode source;
        try {
            source = Json.readObject(Files.readAllBytes(record), record.toString(), RunError::input);
        } catch (IOException e) {
            throw RunError.input("cannot read " + record + ": " + e.getMessage());
        }
        String was = source.path("folder").asText() + "/" + source.path("pattern").asText();
        String now = folder.toAbsolutePath().normalize() + "/" + pattern;
        if (!was.equals(now)) {
            throw RunError.input("run " + runDir + " was imported from " + was + ", not " + now + "; choose another --run");
        }
        return true;
    }

    /** An empty metrics.jsonl: the run trained no epoch here (later TWAs append theirs), which verify reads as such. */
    private static void writeNoEpochs(RunDirectory run) {
        try {
            AtomicFiles.writeString(run.resolve(RunDirectory.METRICS), "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + run.resolve(RunDirectory.METRICS) + ": " + e.getMessage(), e);
        }
    }

    /** Records where the snapshots came from, in {@link #SOURCE}. */
    private static void recordSource(RunDirectory run, Path folder, String pattern, List<Path> files) {
        ObjectNode source = Json.object();
        source.put("folder", folder.toAbsolutePath().normalize().toString());
        source.put("pattern", pattern);
        source.put("checkpoints", files.size());
        run.writeResult(SOURCE, file -> AtomicFiles.writeString(file, Json.toFileText(source)));
    }

    /**
     * The checkpoint files of {@code folder} that {@code pattern} names, by index: indices 0 to
     * N-1, each once ({@code {i}} matches the index with or without leading zeros: {@code 007.pt}
     * is checkpoint 7).
     *
     * @throws RunError (input) if the folder is missing, no file matches, an index is missing, or
     *     two files name the same index ({@code 7.pt} and {@code 07.pt})
     */
    public static List<Path> checkpoints(Path folder, String pattern) {
        checkPattern(pattern);
        if (!Files.isDirectory(folder)) {
            throw RunError.input("--snapshots-dir " + folder + " is not a directory");
        }
        Pattern name = Pattern.compile(Pattern.quote(pattern).replace(INDEX, "\\E([0-9]{1,9})\\Q"));
        TreeMap<Integer, Path> byIndex = new TreeMap<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
                Matcher m = name.matcher(entry.getFileName().toString());
                if (m.matches() && Files.isRegularFile(entry)) {
                    Path other = byIndex.put(Integer.parseInt(m.group(1)), entry);
                    if (other != null) {
                        throw RunError.input(other + " and " + entry.getFileName() + " both match --pattern '" + pattern
                                + "' as checkpoint " + m.group(1).replaceFirst("^0+(?=.)", ""));
                    }
                }
            }
        } catch (IOException e) {
            throw RunError.input("cannot list --snapshots-dir " + folder + ": " + e.getMessage());
        }
        if (byIndex.isEmpty()) {
            throw RunError.input("no file in " + folder + " matches --pattern '" + pattern + "'");
        }
        for (int i = 0; i <= byIndex.lastKey(); i++) {
            if (!byIndex.containsKey(i)) {
                throw RunError.input(folder.resolve(pattern.replace(INDEX, Integer.toString(i))) + " is missing: checkpoints "
                        + byIndex.firstKey() + ".." + byIndex.lastKey() + " must be numbered 0 to N-1 without gaps");
            }
        }
        return new ArrayList<>(byIndex.values());
    }

    private static void checkPattern(String pattern) {
        if (pattern == null || pattern.indexOf(INDEX) < 0 || pattern.indexOf(INDEX) != pattern.lastIndexOf(INDEX)
                || pattern.contains("/")) {
            throw RunError.settings("--pattern must be a file name with {i} once where the checkpoint's index stands (e.g. '{i}.pt'), not '"
                    + pattern + "'");
        }
    }

    /**
     * Loads each checkpoint into the model and writes the model as the next snapshot; checkpoint
     * {@code i} is placed at epoch {@code i / K}, step {@code (i mod K) · steps / K} (K snapshots per epoch).
     */
    private static void write(List<Path> files, SnapshotStore store, Workspace workspace, int steps, Console console) {
        int perEpoch = workspace.config().snapshots().snapshotsPerEpoch();
        ParameterLayout all = ParameterLayout.all(workspace.block());
        for (int i = 0; i < files.size(); i++) {
            String source = files.get(i).toString();
            try (NDManager scope = workspace.manager().newSubManager()) {
                Map<String, NDArray> tensors = WeightsSource.read(source, "checkpoint", scope);
                workspace.load(tensors, source);
            }
            int step = (int) ((long) (i % perEpoch) * steps / perEpoch);
            store.add(SnapshotMeta.of(i / perEpoch, step, (long) (i / perEpoch) * steps + step, 0), all.arraysByName());
            if ((i + 1) % 10 == 0 || i + 1 == files.size()) {
                console.out().printf(Locale.ROOT, "  %d/%d checkpoints imported%n", i + 1, files.size());
            }
        }
    }
}
