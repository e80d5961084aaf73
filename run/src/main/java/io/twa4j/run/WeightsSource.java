package io.twa4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named weights given by the user: a safetensors file (checked against its run's manifest first
 * when it lies inside a run), or {@code RUN:INDEX}, snapshot INDEX of a run (checked against the
 * snapshot manifest). A path that exists is always a file, so a file name with a colon still works.
 */
public final class WeightsSource {

    private static final Pattern SNAPSHOT = Pattern.compile("(.+):(\\d+)");

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
        SnapshotStore store = SnapshotStore.open(runDir);
        if (index < 0 || index >= store.size()) {
            throw RunError.settings("--snapshot " + index + " is not a snapshot of run " + runDir
                    + (store.size() == 0 ? ", which has none" : ": it has 0.." + (store.size() - 1)));
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
            SnapshotStore store = SnapshotStore.open(run);
            int index = Integer.parseInt(snapshot.group(2));
            if (index >= store.size()) {
                throw RunError.input(what + " " + source + ": run " + run + " has snapshots 0.." + (store.size() - 1));
            }
            return store.read(index, scope);
        }
        if (!Files.isRegularFile(file)) {
            throw RunError.input(what + " " + source + " does not exist (a safetensors file, or RUN:INDEX for a snapshot)");
        }
        Path run = runHolding(file);
        if (run != null) {
            RunDirectory.open(run).checkBeforeRead(file);
        }
        return SafeTensors.read(file, scope);
    }
}
