package io.twa4j.run.train;

import ai.djl.Device;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.io.Json;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.InvalidSettingException;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * A sweep: the ingredients of a soup trained one after the other into one directory, {@code
 * SWEEP/NAME/} each (a normal run), with the sweep file copied to {@code SWEEP/sweep.json}. Each
 * entry overrides some settings of a base configuration; a sweep that was interrupted continues
 * where it stopped: finished runs are kept, an interrupted one resumes from its last state.
 *
 * <pre>{@code
 * [{"name": "lr02", "lr": 0.02}, {"name": "lr01-s2", "lr": 0.01, "seed": 2, "augment": true}]
 * }</pre>
 */
public final class Sweep {

    /** The copy of the sweep file in a sweep directory. */
    public static final String FILE = "sweep.json";

    /**
     * One ingredient: its name (its directory in the sweep) and the settings it changes (null: the base's).
     *
     * @param name letters, digits, '.', '_' or '-'
     * @param lr the learning rate
     * @param epochs the epochs
     * @param seed the seed
     * @param wd the weight decay
     * @param momentum the momentum
     * @param schedule step, constant or linear
     * @param augment whether training images are augmented
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Entry(String name, Double lr, Integer epochs, Long seed, Double wd, Double momentum, String schedule, Boolean augment) {

        /** Checks the name (the other values are checked by the configuration they go into). */
        public Entry {
            if (name == null || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
                throw new InvalidSettingException("name", "{name} of a sweep entry must be letters, digits, '.', '_' or '-', got "
                        + io.twa4j.core.io.OneLine.quote(name));
            }
        }

        /** {@code base} with this entry's settings. */
        public RunConfig apply(RunConfig base) {
            OptimizerConfig o = base.optimizer();
            OptimizerConfig optimizer = new OptimizerConfig(epochs != null ? epochs : o.epochs(), lr != null ? lr : o.lr(),
                    momentum != null ? momentum : o.momentum(), wd != null ? wd : o.wd(), schedule != null ? schedule : o.schedule(),
                    o.milestones());
            DataConfig d = base.data();
            DataConfig data = new DataConfig(d.data(), d.dataDir(), d.trainLimit(), d.testLimit(), d.batchSize(), d.evalBatchSize(),
                    augment != null ? augment : d.augment(), d.valRatio(), d.valLimit(), d.imageSize(), d.dataWorkers(), d.skipBadImages());
            return new RunConfig(base.command(), data, base.model(), optimizer, base.snapshots(), seed != null ? seed : base.seed(),
                    base.device(), base.swa(), base.ema(), base.init(), base.versions());
        }
    }

    private Sweep() {}

    /**
     * Reads a sweep file: a JSON array of entries, names unique.
     *
     * @throws RunError (input) naming the file and the problem
     */
    public static List<Entry> read(Path file) {
        List<Entry> entries;
        try {
            Entry[] read = Json.STRICT.without(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .forType(Entry[].class).readValue(Files.readAllBytes(file));
            entries = read == null ? List.of() : java.util.Arrays.asList(read);
        } catch (JacksonException e) {
            InvalidSettingException invalid = e.getCause() instanceof InvalidSettingException i ? i : null;
            throw RunError.input(file + ": not a valid sweep: " + (invalid != null ? invalid.getMessage() : Json.problem(e)));
        } catch (IOException e) {
            throw RunError.input(file + ": cannot read: " + IoMessages.reason(e));
        }
        if (entries.isEmpty() || entries.stream().anyMatch(java.util.Objects::isNull)) { // List.of(...).contains(null) throws
            throw RunError.input(file + ": not a valid sweep: it must be a non-empty array of entries");
        }
        var names = new HashSet<String>();
        for (Entry entry : entries) {
            if (!names.add(entry.name())) {
                throw RunError.input(file + ": not a valid sweep: the name '" + entry.name() + "' is used twice");
            }
        }
        return entries;
    }

    /**
     * Trains every entry of {@code entries} on top of {@code base} into {@code sweepDir}, keeping
     * finished runs and resuming an interrupted one.
     *
     * @return the last snapshot of every run, as {@code RUN:INDEX}, in the sweep's order (a soup's ingredients)
     */
    public static List<String> run(List<Entry> entries, RunConfig base, Path sweepDir, Device device, Console console) {
        List<RunConfig> configs = new ArrayList<>();
        for (Entry entry : entries) {
            configs.add(entry.apply(base)); // every entry is checked before the first one trains
        }
        try {
            Files.createDirectories(sweepDir);
            AtomicFiles.writeString(sweepDir.resolve(FILE), Json.PRETTY.writeValueAsString(entries) + "\n");
        } catch (IOException e) {
            throw RunError.input("cannot write " + sweepDir.resolve(FILE) + ": " + IoMessages.reason(e));
        }
        List<String> lastSnapshots = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Path runDir = sweepDir.resolve(entries.get(i).name());
            console.out().printf(Locale.ROOT, "== sweep %d/%d: %s ==%n", i + 1, entries.size(), entries.get(i).name());
            if (Files.isRegularFile(runDir.resolve(RunDirectory.CONFIG))) {
                TrainingJob.resume(runDir, device, console);
            } else {
                TrainingJob.start(new TrainingJob.Request(configs.get(i), runDir, device, false, TrainingPlan.trainOnly(configs.get(i))),
                        console);
            }
            lastSnapshots.add(runDir + ":" + (SnapshotStore.open(runDir).size() - 1));
        }
        return lastSnapshots;
    }

    /**
     * The ingredients of a sweep directory: the last snapshot of each run, as {@code RUN:INDEX}, in
     * the order of its sweep file.
     *
     * @throws RunError (input) if the directory holds no sweep, or a run is missing
     */
    public static List<String> ingredients(Path sweepDir) {
        List<String> ingredients = new ArrayList<>();
        for (Entry entry : read(sweepDir.resolve(FILE))) {
            Path runDir = sweepDir.resolve(entry.name());
            SnapshotStore store = SnapshotStore.open(runDir);
            if (store.size() == 0) {
                throw RunError.input("sweep " + sweepDir + ": run " + entry.name() + " has no snapshots");
            }
            ingredients.add(runDir + ":" + (store.size() - 1));
        }
        return ingredients;
    }
}
