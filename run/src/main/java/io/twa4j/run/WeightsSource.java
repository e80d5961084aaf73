package io.twa4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.torch.TorchFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named weights given by the user: a safetensors file or a PyTorch {@code .pt} state_dict (read
 * by {@link TorchFiles}, which runs nothing; checked against its run's manifest first when it lies
 * inside a run), or {@code RUN:INDEX}, snapshot INDEX of a run (checked against the
 * snapshot manifest). A path that exists is always a file, so a file name with a colon still works.
 */
public final class WeightsSource {

    private static final Pattern SNAPSHOT = Pattern.compile("(.+):(\\d{1,9})");

    private WeightsSource() {}

    /**
     * The model of the run {@code source} comes from: the run of {@code RUN:INDEX}, or the run a
     * weights file lies in; empty for a file outside any run.
     *
     * @throws RunError (input) if that run's run.json is damaged
     */
    public static java.util.Optional<String> modelOf(String source) {
        Path file = Path.of(source);
        Matcher snapshot = SNAPSHOT.matcher(source);
        Path run = !Files.exists(file) && snapshot.matches() ? Path.of(snapshot.group(1)) : runHolding(file);
        if (run == null || !Files.isRegularFile(run.resolve(RunDirectory.CONFIG))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(RunDirectory.open(run).readConfig().model().model());
    }

    /**
     * The tensors of snapshot {@code index} of the run in {@code runDir} ({@code --snapshot}),
     * checked against the snapshot manifest, owned by {@code scope}.
     *
     * @throws RunError (settings) if the run has no such snapshot; (input) if it is damaged
     */
    public static Map<String, NDArray> snapshot(Path runDir, int index, NDManager scope) {
        return snapshot(runDir, index, scope, size -> RunError.settings("--snapshot " + index + " is not a snapshot of run " + runDir
                + (size == 0 ? ", which has none" : ": it has 0.." + (size - 1))));
    }

    /** Snapshot {@code index} of the run, or the error {@code outside} makes of the run's snapshot count. */
    private static Map<String, NDArray> snapshot(Path runDir, int index, NDManager scope, IntFunction<RunError> outside) {
        SnapshotStore store = SnapshotStore.open(runDir);
        if (index < 0 || index >= store.size()) {
            throw outside.apply(store.size());
        }
        return store.read(index, scope);
    }

    /** The run directory {@code file} lies in, or null. */
    private static Path runHolding(Path file) {
        Path run = file.toAbsolutePath().getParent();
        while (run != null && !Files.isRegularFile(run.resolve(RunDirectory.CONFIG))) {
            run = run.getParent();
        }
        return run;
    }

    /**
     * The tensors of {@code source}, owned by {@code scope}; {@code what} names it in messages
     * ("ingredient", "--from").
     *
     * @throws RunError (input) if it is missing, unlisted or damaged
     */
    public static Map<String, NDArray> read(String source, String what, NDManager scope) {
        Path file = Path.of(source);
        Matcher snapshot = SNAPSHOT.matcher(source);
        if (!Files.exists(file) && snapshot.matches()) {
            Path run = Path.of(snapshot.group(1));
            return snapshot(run, Integer.parseInt(snapshot.group(2)), scope, size -> RunError.input(what + " " + source + ": run " + run
                    + (size == 0 ? " has no snapshots" : " has snapshots 0.." + (size - 1))));
        }
        if (!Files.isRegularFile(file)) {
            throw RunError.input(what + " " + source + " does not exist (a safetensors or PyTorch .pt file, or RUN:INDEX for a snapshot)");
        }
        Path run = runHolding(file);
        if (run != null) {
            RunDirectory.open(run).checkBeforeRead(file);
        }
        return isTorchSave(file) ? TorchFiles.readStateDict(file).toNDArrays(scope) : SafeTensors.read(file, scope);
    }

    /**
     * Whether {@code file} was written by {@code torch.save} (a zip archive, or the legacy pickle
     * format, which {@link TorchFiles} refuses by name) rather than as safetensors, by its first
     * bytes: safetensors starts with the header's length (8 bytes) and its opening brace.
     */
    static boolean isTorchSave(Path file) {
        byte[] head = new byte[9];
        int read;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        } catch (java.io.IOException e) {
            return false; // the safetensors reader says what is wrong
        }
        if (read == head.length && head[8] == '{') {
            return false;
        }
        boolean zip = read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        return zip || read >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2; // pickle's PROTO 2..5
    }
}
