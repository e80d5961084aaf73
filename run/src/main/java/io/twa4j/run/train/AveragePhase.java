package io.twa4j.run.train;

import io.twa4j.core.average.AveragedModel;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.EmaConfig;
import io.twa4j.run.config.SwaConfig;
import io.twa4j.run.report.MetricsListener;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;


/**
 * A weight average kept beside regular training, as a listener of the training loop: SWA's equal
 * average of epoch-end weights ({@link #swa}) or an EMA of every step's weights ({@link #ema}).
 * It evaluates the average on its schedule (metrics lines with its phase) and, after the last
 * epoch of the plan, writes it to {@code RUN/<phase>.safetensors}. The model holds the training weights
 * again whenever the loop runs.
 */
final class AveragePhase implements TrainingListener, AutoCloseable {

    private final String phase;
    private final AveragedModel average;
    private final Policy policy;
    private final Training training;
    private Evaluation last;

    /** When the average takes the weights and when it is evaluated. */
    private interface Policy {
        /** Whether the weights after epoch {@code epoch} (from 1) join the average. */
        default boolean averagesEpoch(int epoch) {
            return false;
        }

        /** Whether every step's weights join the average. */
        default boolean averagesSteps() {
            return false;
        }

        /** Whether the average is evaluated after epoch {@code epoch} (from 1); the last epoch always is. */
        boolean evaluatesAfter(int epoch);

        /** Whether BatchNorm statistics are recomputed from the training data before evaluating. */
        boolean recomputesBatchNorm();
    }

    private AveragePhase(String phase, AveragedModel average, Policy policy, Training training) {
        this.phase = phase;
        this.average = average;
        this.policy = policy;
        this.training = training;
    }

    /**
     * SWA as its authors ran it: the weights after epoch e (from 1) join an equal average when
     * {@code e ≥ start} and {@code (e − start) % cEpochs == 0}; every {@code evalFreq} epochs and
     * at the end, the average gets its BatchNorm statistics from one pass over the training data
     * and is evaluated.
     */
    static AveragePhase swa(SwaConfig settings, Training training) {
        Policy policy = new Policy() {
            @Override
            public boolean averagesEpoch(int epoch) {
                return epoch >= settings.start() && (epoch - settings.start()) % settings.cEpochs() == 0;
            }

            @Override
            public boolean evaluatesAfter(int epoch) {
                return epoch % settings.evalFreq() == 0;
            }

            @Override
            public boolean recomputesBatchNorm() {
                return true;
            }
        };
        Workspace workspace = training.workspace();
        return new AveragePhase("swa", AveragedModel.equal(workspace.block(), workspace.manager()), policy, training);
    }

    /**
     * An EMA of every parameter after every step, BatchNorm running statistics averaged like the
     * weights (no extra pass over the data, so it can be evaluated every epoch), evaluated after
     * every epoch.
     */
    static AveragePhase ema(EmaConfig settings, Training training) {
        Policy policy = new Policy() {
            @Override
            public boolean averagesSteps() {
                return true;
            }

            @Override
            public boolean evaluatesAfter(int epoch) {
                return true;
            }

            @Override
            public boolean recomputesBatchNorm() {
                return false;
            }
        };
        Workspace workspace = training.workspace();
        AveragedModel model = AveragedModel.ema(workspace.block(), workspace.manager(), settings.decay(), settings.warmup());
        return new AveragePhase("ema", model, policy, training);
    }

    @Override
    public void onStep(StepEvent step) {
        if (policy.averagesSteps()) {
            average.update();
        }
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        int done = epoch.epoch();
        if (policy.averagesEpoch(done)) {
            average.update();
        }
        boolean end = done == training.plan().trainEpochs();
        if (average.count() == 0 || !(end || policy.evaluatesAfter(done))) {
            return;
        }
        long started = System.nanoTime();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("phase", phase);
        line.put("epoch", done);
        line.put("averaged", average.count());
        try (AveragedModel.Swap swapped = average.swapIn()) {
            Workspace workspace = training.workspace();
            last = policy.recomputesBatchNorm() ? workspace.updateBatchNormAndEvaluate(training.train(), training.test())
                    : workspace.evaluate(training.test());
            MetricsListener.putTest(line, last);
            if (end) {
                writeAverage(done, line);
            }
        }
        line.put("seconds", (System.nanoTime() - started) / 1e9);
        training.run().appendMetrics(line);
        if (end) {
            training.console().out().printf(Locale.ROOT, "%s of %d %s: test accuracy %.4f; written to %s%n",
                    phase.toUpperCase(Locale.ROOT), average.count(), policy.averagesSteps() ? "steps" : "epochs", last.top1(),
                    training.run().resolve(phase + ".safetensors"));
        }
    }

    /**
     * Writes the swapped-in average to {@code RUN/<phase>.safetensors}; an average that keeps its
     * BatchNorm statistics is then also evaluated with recomputed ones ({@code test_acc_bn_update}).
     */
    private void writeAverage(int epoch, Map<String, Object> line) {
        Workspace workspace = training.workspace();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("phase", phase);
        metadata.put("epoch", String.valueOf(epoch));
        metadata.put("averaged", String.valueOf(average.count()));
        training.run().writeResult(phase + ".safetensors", file -> workspace.writeWeights(file, metadata));
        if (!policy.recomputesBatchNorm()) {
            // how the averaged statistics compare with statistics recomputed for the averaged weights
            line.put("test_acc_bn_update", workspace.updateBatchNormAndEvaluate(training.train(), training.test()).top1());
        }
    }

    /** The running average. */
    AveragedModel average() {
        return average;
    }

    /** The phase name: swa or ema. */
    String phase() {
        return phase;
    }

    /** The last evaluation of the average, or null before the first. */
    Evaluation lastEvaluation() {
        return last;
    }

    @Override
    public void close() {
        average.close();
    }
}
