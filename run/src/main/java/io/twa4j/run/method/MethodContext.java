package io.twa4j.run.method;

import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.train.Evaluation;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.check.DiskSpace;
import io.twa4j.run.report.MetricsListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link RunMethod} works with: the run's model and data, its directory, the console, and
 * whether an existing result of the same name may be replaced.
 *
 * @param workspace the run's model and data
 * @param run the run directory
 * @param console messages, progress and the stop request
 * @param overwrite whether an existing result of the method's name is replaced
 */
public record MethodContext(Workspace workspace, RunDirectory run, Console console, boolean overwrite) {

    /**
     * Runs {@code method} after checking that its result does not exist yet (unless {@link
     * #overwrite}) and that the disk has room for it.
     *
     * @throws RunError (settings) if the result exists; (input) if the disk is too full
     */
    public <R> R execute(RunMethod<R> method) {
        Path target = run.resolve(method.resultPath());
        if (Files.exists(target) && !overwrite) {
            throw RunError.settings("result " + target + " already exists; choose another --name or pass --overwrite");
        }
        DiskSpace.requireForMethod(run.root(), workspace.block());
        return method.run(this);
    }

    /**
     * The model's evaluations after a BatchNorm update.
     *
     * @param test on the test images
     * @param heldOut on the run's held-out images, or null when it holds out none
     */
    public record Evaluated(Evaluation test, Evaluation heldOut) {}

    /**
     * Recomputes the BatchNorm statistics of the model as it is from {@code train}, evaluates it on
     * {@code test} (and on the held-out images when the run has them), and appends the metrics line
     * {@code {"phase", "epoch", "name", test_loss, test_acc[, val_loss, val_acc]}}.
     */
    public Evaluated evaluateAfterBatchNorm(BatchSource train, BatchSource test, String phase, int epoch, String name) {
        Evaluation evaluation = workspace.updateBatchNormAndEvaluate(train, test);
        Evaluation heldOut = workspace.holdsOut() ? workspace.evaluate(workspace.heldOutBatches()) : null;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("phase", phase);
        line.put("epoch", epoch);
        line.put("name", name);
        MetricsListener.putTest(line, evaluation);
        if (heldOut != null) {
            MetricsListener.putHeldOut(line, heldOut);
        }
        run.appendMetrics(line);
        return new Evaluated(evaluation, heldOut);
    }

    /**
     * The training loop of a method's coefficients on the run's model, set up as every method's is:
     * {@code update} with {@code schedule}, the engine reseeded per step from the run's seed, a
     * metrics line per epoch of phase {@code phase} (with {@code val_*} when the run holds out
     * images) and the console's progress; add the method's own listeners and run it.
     */
    public TrainingLoop.Builder loop(UpdateRule update, LrSchedule schedule, String phase) {
        return TrainingLoop.builder()
                .setBlock(workspace.block())
                .setManager(workspace.manager())
                .setUpdateRule(update)
                .setSchedule(schedule)
                .optStepSeed(workspace.config().seed())
                .optCollective(workspace.collective())
                .addListener(new MetricsListener(run, phase, workspace.heldOutEvaluation()))
                .addListener(console.progress().listener(phase));
    }

    /** Writes the result directory {@code relativePath} whole or not at all ({@link RunDirectory#writeResultDirectory}). */
    public Path writeResult(String relativePath, RunDirectory.DirectoryWriter files) {
        return run.writeResultDirectory(relativePath, files);
    }
}
