package io.twa4j.cli;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.snapshot.SafeTensors;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingStoppedException;
import io.twa4j.core.train.Evaluator;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.SubspaceSgd;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TWA from a built basis: the average of the snapshots as the baseline (after a BatchNorm
 * update), coefficient training, the final BatchNorm update and evaluation, and the results in
 * {@code RUN/twa/NAME/}: {@code weights.safetensors}, {@code coefficients.csv},
 * {@code summary.json} and plots. Shared by {@code twa} (basis from snapshot files) and
 * {@code train --twa-after} (basis streamed from the training run).
 */
final class TwaRunner {

    /** Where a snapshot of the basis lies in the run's history. */
    record SnapshotPoint(int index, double epoch) {}

    /** The outcome. */
    record Result(Evaluation average, Evaluation twa, List<TrainingListener.EpochEvent> epochs, double seconds, Path directory) {}

    private TwaRunner() {}

    /** Whether a run keeps resumable states, and whether it continues from one. */
    enum Resume {
        /** No states (the basis lives only in memory, as with {@code train --twa-after}). */
        NONE,
        /** A new TWA run keeping states (any left by an earlier run of the same name are dropped). */
        NEW,
        /** Continue from the newest state of this name (from the start when there is none). */
        CONTINUE
    }

    /**
     * Runs TWA on {@code workspace}'s model.
     *
     * @param points the snapshots added to the basis, in the order added
     * @param start the starting coordinates (the mean, or a snapshot's)
     * @param basisSeconds time spent building the basis, for the summary
     */
    static Result run(Workspace workspace, RunDirectory run, Basis basis, List<SnapshotPoint> points, double[] start,
            TwaSettings settings, double basisSeconds, boolean overwrite, Resume resume, PrintStream out) {
        long started = System.nanoTime();
        Path target = run.resolve("twa").resolve(settings.name());
        if (Files.exists(target) && !overwrite) {
            throw UserError.usage("TWA result " + target + " already exists; choose another --name or pass --overwrite");
        }
        FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(workspace.block()));
        double error = basis.orthonormalityError();
        out.printf(Locale.ROOT, "basis: n = %d of %d snapshots, D = %,d, max |P P^T - I| = %.2e, %.1f s%n",
                basis.size(), points.size(), basis.dimension(), error, basisSeconds);
        for (int dropped : basis.droppedSources()) {
            out.printf(Locale.ROOT, "warning: snapshot %d is already in the span of the others (to %.0e); it adds no row%n",
                    dropped, settings.tolerance());
        }

        BatchSource train = workspace.trainBatches(settings.batchSize());
        BatchSource test = workspace.testBatches();
        Evaluator evaluator = new Evaluator(workspace.block(), workspace.manager());

        TwaState state = resume == Resume.NONE ? null : new TwaState(run, settings.name(), workspace, settingsJson(settings));
        StateStore.Saved saved = resume == Resume.CONTINUE ? state.latest(out) : null;
        if (state != null && saved == null) {
            state.clear();
        }
        Evaluation average;
        SubspaceSgd sgd;
        TrainingLoop.Position from = TrainingLoop.Position.at(0);
        if (saved == null) {
            if (resume == Resume.CONTINUE) {
                out.println("no saved TWA state for " + settings.name() + ": starting it over");
            }
            try (NDManager scope = workspace.manager().newSubManager()) {
                trainable.write(basis.combine(basis.coordinatesOfMean(), scope));
            }
            BatchNormUpdate.run(workspace.block(), workspace.manager(), train);
            average = evaluator.evaluate(test);
            Map<String, Object> averageLine = phaseLine("twa-average", 0, settings.name());
            MetricsListener.putTest(averageLine, average);
            run.appendMetrics(averageLine);
            sgd = new SubspaceSgd(basis, trainable, settings.momentum(), settings.wd(), start);
            if (state != null) {
                state.attach(sgd);
                state.baseline(average);
            }
        } else {
            sgd = new SubspaceSgd(basis, trainable, settings.momentum(), settings.wd(), start);
            state.attach(sgd);
            from = state.restore(saved);
            average = state.average();
            out.printf(Locale.ROOT, "continuing TWA %s at epoch %d, step %d%n", settings.name(), from.epoch() + 1, from.step());
        }
        out.printf(Locale.ROOT, "average of the %d snapshots + BN update: test loss %.4f acc %.4f%n",
                points.size(), average.loss(), average.top1());

        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        double[] milestones = settings.milestones().stream().mapToDouble(Double::doubleValue).toArray();
        TrainingLoop.Builder loop = TrainingLoop.builder()
                .setBlock(workspace.block())
                .setManager(workspace.manager())
                .setUpdateRule(sgd)
                .setSchedule(Schedules.byName(settings.schedule(), settings.lr(), settings.epochs(), milestones))
                .optStepSeed(workspace.config().seed())
                .addListener(new MetricsListener(run, "twa"));
        if (state != null) {
            loop.addListener(state).optStopRequest(StopSignals.install());
        }
        loop.addListener(ProgressListener.forConsole("twa"))
                .addListener(new TrainingListener() {
                    @Override
                    public void onEpochEnd(EpochEvent epoch) {
                        epochs.add(epoch);
                    }
                });
        try {
            loop.build().run(train, test, from, settings.epochs());
        } catch (TrainingStoppedException e) {
            throw new UserError(ExitCode.STOPPED, "TWA " + e.getMessage() + "; the state is saved in "
                    + TwaState.directory(run, settings.name()) + "; continue with the same twa command and --resume");
        }

        BatchNormUpdate.run(workspace.block(), workspace.manager(), train);
        Evaluation twa = evaluator.evaluate(test);
        Map<String, Object> finalLine = phaseLine("twa-final", settings.epochs(), settings.name());
        MetricsListener.putTest(finalLine, twa);
        run.appendMetrics(finalLine);
        double seconds = (System.nanoTime() - started) / 1e9 + basisSeconds;
        out.printf(Locale.ROOT, "TWA + BN update: test loss %.4f acc %.4f (average: %.4f), %.1f s%n",
                twa.loss(), twa.top1(), average.top1(), seconds);

        double[] weights = basis.snapshotWeights(sgd.coefficients());
        Path written = writeResults(workspace, run, target, basis, points, weights, settings, average, twa, epochs, error,
                basisSeconds, seconds);
        if (state != null) {
            state.clear();
        }
        out.printf(Locale.ROOT, "results in %s%n", written);
        return new Result(average, twa, epochs, seconds, written);
    }

    /** The settings as one JSON line: a resumed TWA must run with the same. */
    private static String settingsJson(TwaSettings settings) {
        try {
            return Json.COMPACT.writeValueAsString(settings);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> phaseLine(String phase, int epoch, String name) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("phase", phase);
        line.put("epoch", epoch);
        line.put("name", name);
        return line;
    }

    /** Writes every result into a fresh directory, then moves it into place, so no half-written result is left. */
    private static Path writeResults(Workspace workspace, RunDirectory run, Path target, Basis basis, List<SnapshotPoint> points,
            double[] weights, TwaSettings settings, Evaluation average, Evaluation twa, List<TrainingListener.EpochEvent> epochs,
            double basisError, double basisSeconds, double seconds) {
        try {
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempDirectory(target.getParent(), "." + settings.name() + ".partial-");
            try {
                Map<String, String> metadata = new LinkedHashMap<>();
                metadata.put("model", workspace.config().model());
                metadata.put("twa", settings.name());
                SafeTensors.write(partial.resolve("weights.safetensors"), ParameterLayout.all(workspace.block()).arraysByName(), metadata);

                Map<Integer, Double> weightOf = new LinkedHashMap<>();
                for (int row = 0; row < basis.size(); row++) {
                    weightOf.put(basis.rowSources().get(row), weights[row]);
                }
                StringBuilder csv = new StringBuilder("snapshot,epoch,coefficient\n");
                Plots.Chart coefficients = new Plots.Chart("TWA coefficients over the snapshots", "epoch of the snapshot", "coefficient");
                for (SnapshotPoint point : points) {
                    double weight = weightOf.getOrDefault(point.index(), 0.0);
                    csv.append(String.format(Locale.ROOT, "%d,%s,%.9g%n", point.index(), trim(point.epoch()), weight));
                    coefficients.point("TWA", point.epoch(), weight);
                    coefficients.point("equal average", point.epoch(), 1.0 / points.size());
                }
                AtomicFiles.writeString(partial.resolve("coefficients.csv"), csv.toString());

                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("name", settings.name());
                summary.put("model", workspace.config().model());
                summary.put("data", workspace.config().data());
                summary.put("settings", settings);
                summary.put("snapshots", points.stream().map(SnapshotPoint::index).toList());
                summary.put("n", basis.size());
                summary.put("dropped", basis.droppedSources());
                summary.put("D", basis.dimension());
                summary.put("basis_error", basisError);
                summary.put("basis_seconds", basisSeconds);
                summary.put("average", evaluation(average));
                summary.put("twa", evaluation(twa));
                List<Map<String, Object>> perEpoch = new ArrayList<>();
                for (TrainingListener.EpochEvent epoch : epochs) {
                    perEpoch.add(MetricsListener.line("twa", epoch));
                }
                summary.put("epochs", perEpoch);
                summary.put("seconds", seconds);
                AtomicFiles.writeString(partial.resolve("summary.json"), Json.MAPPER.writeValueAsString(summary) + "\n");

                Files.createDirectories(partial.resolve("plots"));
                Plots.Chart accuracy = new Plots.Chart("Test accuracy during TWA", "TWA epoch", "test accuracy");
                for (int e = 0; e <= epochs.size(); e++) {
                    accuracy.point("average of the snapshots + BN update", e, average.top1());
                }
                if (settings.trainStart() == -1) {
                    accuracy.point("TWA (running BN statistics)", 0, average.top1()); // it starts at the average
                }
                for (TrainingListener.EpochEvent epoch : epochs) {
                    accuracy.point("TWA (running BN statistics)", epoch.epoch(), epoch.test().top1());
                }
                accuracy.point("TWA + BN update", epochs.size(), twa.top1());
                accuracy.writePng(partial.resolve("plots/accuracy.png"));
                coefficients.writePng(partial.resolve("plots/coefficients.png"));

                run.forgetResults(target);
                if (Files.exists(target)) {
                    RunDirectory.deleteTree(target);
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                run.recordResults(target);
                return target;
            } catch (IOException | RuntimeException e) {
                RunDirectory.deleteTree(partial);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TWA results to " + target, e);
        }
    }

    private static Map<String, Object> evaluation(Evaluation evaluation) {
        Map<String, Object> values = new LinkedHashMap<>();
        MetricsListener.putTest(values, evaluation);
        return values;
    }

    private static String trim(double epoch) {
        return epoch == Math.rint(epoch) ? String.valueOf((long) epoch) : String.format(Locale.ROOT, "%.4f", epoch);
    }
}
