package io.twa4j.run.twa;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.train.TrainingStoppedException;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import io.twa4j.run.report.MetricsListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TWA from a built basis P of the run's snapshots: the equal average of the snapshots as the
 * baseline (after a BatchNorm update), momentum SGD on the coefficients α with {@code w = Pᵀα}
 * and gradient {@code P g + wd·α} ({@link SubspaceSgd}), the final BatchNorm update and
 * evaluation, and the result in {@code RUN/twa/NAME/} ({@link TwaResultFiles}). Shared by TWA
 * over snapshot files ({@link TwaOnRun}) and {@code train --twa-after} (basis streamed from the
 * training).
 *
 * @param basis the orthonormal basis (one per block of coefficients), built
 * @param points the snapshots added to the basis, in the order added
 * @param start the starting coordinates (the mean's, or a snapshot's)
 * @param settings the TWA settings
 * @param basisSeconds time spent building the basis, for the summary
 * @param states whether the run keeps resumable states, and whether it continues from one
 */
public record Twa(BlockBasis basis, List<SnapshotPoint> points, double[] start, TwaSettings settings, double basisSeconds,
        States states) implements RunMethod<TwaResult> {

    /** Whether a TWA run keeps resumable states, and whether it continues from one. */
    public enum States {
        /** No states (the basis lives only in memory, as with {@code train --twa-after}). */
        NONE,
        /** A new TWA run keeping states (any left by an earlier run of the same name are dropped). */
        NEW,
        /** Continue from the newest state of this name (from the start when there is none). */
        CONTINUE
    }

    @Override
    public String resultPath() {
        return "twa/" + settings.name();
    }

    @Override
    public TwaResult run(MethodContext context) {
        long started = System.nanoTime();
        Workspace workspace = context.workspace();
        double error = basis.orthonormalityError();
        reportBasis(context.console().out(), error);
        BatchSource train = settings.onHeldOut() ? workspace.heldOutTrainingBatches(settings.batchSize())
                : workspace.trainBatches(settings.batchSize());
        BatchSource test = workspace.testBatches();
        TwaState state = states == States.NONE ? null : new TwaState(context.run(), settings.name(), workspace, settings);
        long begin = System.nanoTime();
        Begun begun = begin(context, state, train, test);
        long trainFrom = System.nanoTime();
        SubspaceSgd sgd = begun.sgd();
        List<TrainingListener.EpochEvent> epochs = train(context, state, sgd, begun.from(), train, test);
        long finalFrom = System.nanoTime();
        Evaluation twa = context.evaluateAfterBatchNorm(train, test, "twa-final", settings.epochs(), settings.name()).test();
        long ended = System.nanoTime();
        double seconds = (ended - started) / 1e9 + basisSeconds;
        TwaResultFiles.Times times = new TwaResultFiles.Times(basisSeconds, (trainFrom - begin) / 1e9, (finalFrom - trainFrom) / 1e9,
                (ended - finalFrom) / 1e9, seconds);
        context.console().out().printf(Locale.ROOT, "TWA + BN update: test loss %.4f acc %.4f%s, %.1f s%n", twa.loss(), twa.top1(),
                begun.average() == null ? "" : String.format(Locale.ROOT, " (average: %.4f)", begun.average().top1()), seconds);
        context.console().out().println(times.line());
        TwaResultFiles files = new TwaResultFiles(workspace, basis, points, basis.weightsBySource(sgd.coefficients()), settings,
                new TwaResultFiles.Figures(begun.average(), twa, epochs, error, times));
        Path written = context.writeResult(resultPath(), files::write);
        if (state != null) {
            state.clear();
        }
        context.console().out().printf(Locale.ROOT, "results in %s%n", written);
        return new TwaResult(begun.average(), twa, epochs, seconds, written);
    }

    private void reportBasis(PrintStream out, double error) {
        String memory = String.format(Locale.ROOT, "%s, %.1f MiB", settings.encoding().label(), basis.bytes() / 1048576.0);
        if (basis.blocks().size() == 1) {
            Basis whole = basis.global();
            out.printf(Locale.ROOT, "basis: n = %d of %d snapshots, D = %,d, max |P P^T - I| = %.2e, %s, %.1f s%n",
                    whole.size(), points.size(), whole.dimension(), error, memory, basisSeconds);
            if (whole.sharded()) {
                out.printf(Locale.ROOT, "basis split by columns among %d workers: %.1f MiB on each (%.1f MiB whole)%n",
                        whole.shards().size(), whole.bytes() / 1048576.0, whole.bytes() * (double) whole.shards().size() / 1048576.0);
            }
            for (int dropped : whole.droppedSources()) {
                out.printf(Locale.ROOT, "warning: snapshot %d is already in the span of the others (to %.0e); it adds no row%n",
                        dropped, settings.tolerance());
            }
            return;
        }
        out.printf(Locale.ROOT, "basis: %d blocks (%s), %d coefficients, up to %d of %d snapshots per block, D = %,d,"
                + " max |P P^T - I| = %.2e, %s, %.1f s%n", basis.blocks().size(), settings.coefficients(), basis.size(),
                basis.maxRows(), points.size(), basis.dimension(), error, memory, basisSeconds);
    }

    /** Where TWA begins: the position, the baseline's evaluation (computed now, or saved with the state), the optimiser. */
    private record Begun(TrainingLoop.Position from, Evaluation average, SubspaceSgd sgd) {}

    /** Evaluates the baseline and prepares the coefficients, or puts a saved state back. */
    private Begun begin(MethodContext context, TwaState state, BatchSource train, BatchSource test) {
        PrintStream out = context.console().out();
        StateStore.Saved saved = states == States.CONTINUE ? state.latest(out) : null;
        Begun begun;
        if (saved == null) {
            if (state != null) {
                state.clear();
            }
            if (states == States.CONTINUE) {
                out.println("no saved TWA state for " + settings.name() + ": starting it over");
            }
            Evaluation average = settings.baseline() ? baseline(context, train, test) : null;
            SubspaceSgd sgd = subspaceSgd(context); // writes Pᵀ start
            if (state != null) {
                state.attach(sgd);
                state.baseline(average);
            }
            begun = new Begun(TrainingLoop.Position.at(0), average, sgd);
        } else {
            SubspaceSgd sgd = subspaceSgd(context);
            state.attach(sgd);
            TrainingLoop.Position from = state.restore(saved);
            out.printf(Locale.ROOT, "continuing TWA %s at epoch %d, step %d%n", settings.name(), from.epoch() + 1, from.step());
            begun = new Begun(from, state.average(), sgd);
        }
        if (begun.average() != null) {
            out.printf(Locale.ROOT, "average of the %d snapshots + BN update: test loss %.4f acc %.4f%n",
                    points.size(), begun.average().loss(), begun.average().top1());
        }
        return begun;
    }

    /** The equal average of the snapshots written into the model, its BatchNorm recomputed, evaluated. */
    private Evaluation baseline(MethodContext context, BatchSource train, BatchSource test) {
        try (NDManager scope = context.workspace().manager().newSubManager()) {
            basis.write(basis.coordinatesOfMean(), scope);
        }
        return context.evaluateAfterBatchNorm(train, test, "twa-average", 0, settings.name()).test();
    }

    /** The coefficients' SGD from {@code start}, its {@code P g} summed over the workspace's ranks. */
    private SubspaceSgd subspaceSgd(MethodContext context) {
        return new SubspaceSgd(basis, new SubspaceSgd.Hyperparameters(settings.momentum(), settings.wd()), start,
                context.workspace().collective());
    }

    /** The coefficient training, from {@code from}; returns its epochs. */
    private List<TrainingListener.EpochEvent> train(MethodContext context, TwaState state, SubspaceSgd sgd,
            TrainingLoop.Position from, BatchSource train, BatchSource test) {
        Workspace workspace = context.workspace();
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        TrainingLoop.Builder loop = context.loop(sgd, settings.lrSchedule(), "twa").addListener(MetricsListener.collecting(epochs));
        if (state != null) {
            loop.addListener(state).optStopRequest(context.console().stopRequest());
        }
        try {
            loop.build().run(train, test, from, settings.epochs());
        } catch (TrainingStoppedException e) {
            throw new RunError(RunError.Kind.STOPPED, "TWA " + e.getMessage() + "; the state is saved in "
                    + TwaState.directory(context.run(), settings.name()) + "; continue with the same twa command and --resume");
        }
        return epochs;
    }
}
