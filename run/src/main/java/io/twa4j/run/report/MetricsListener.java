package io.twa4j.run.report;

import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.run.RunDirectory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Appends one line per epoch to {@code RUN/metrics.jsonl}, tagged with the run's phase. */
public final class MetricsListener implements TrainingListener {

    private final RunDirectory run;
    private final String phase;
    private final Supplier<Evaluation> heldOut;

    /** Lines of phase {@code phase} ("train", "twa") into {@code run}'s metrics. */
    public MetricsListener(RunDirectory run, String phase) {
        this(run, phase, null);
    }

    /**
     * Lines of phase {@code phase} that also hold {@code val_loss} and {@code val_acc}, from
     * {@code heldOut} (the model's evaluation on the held-out images), or null for none.
     */
    public MetricsListener(RunDirectory run, String phase, Supplier<Evaluation> heldOut) {
        this.run = run;
        this.phase = phase;
        this.heldOut = heldOut;
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        Map<String, Object> line = line(phase, epoch);
        if (heldOut != null) {
            putHeldOut(line, heldOut.get());
        }
        run.appendMetrics(line);
    }

    /** Adds {@code val_loss} and {@code val_acc} (and {@code val_top5}) of an evaluation on held-out data. */
    public static void putHeldOut(Map<String, Object> line, Evaluation heldOut) {
        line.put("val_loss", heldOut.loss());
        line.put("val_acc", heldOut.top1());
        if (heldOut.hasTop5()) {
            line.put("val_top5", heldOut.top5());
        }
    }

    /** A listener that adds every finished epoch to {@code epochs}. */
    public static TrainingListener collecting(List<EpochEvent> epochs) {
        return new TrainingListener() {
            @Override
            public void onEpochEnd(EpochEvent epoch) {
                epochs.add(epoch);
            }
        };
    }

    /** The metrics line of one epoch. */
    public static Map<String, Object> line(String phase, EpochEvent epoch) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("phase", phase);
        line.put("epoch", epoch.epoch());
        line.put("lr", epoch.lr());
        line.put("train_loss", epoch.trainLoss());
        line.put("train_acc", epoch.trainAcc());
        putTest(line, epoch.test());
        line.put("seconds", epoch.seconds());
        line.put("data_wait_seconds", epoch.dataWaitSeconds());
        ResidentMemory.megabytes().ifPresent(mb -> line.put("rss_mb", mb));
        line.put("jvm_heap_mb", Runtime.getRuntime().totalMemory() >> 20);
        return line;
    }

    /** {@code test_loss}, {@code test_acc} (and {@code test_top5}) of an evaluation. */
    public static Map<String, Object> testValues(Evaluation test) {
        Map<String, Object> values = new LinkedHashMap<>();
        putTest(values, test);
        return values;
    }

    /** Adds {@code test_loss}, {@code test_acc} (and {@code test_top5}) when there is an evaluation. */
    public static void putTest(Map<String, Object> line, Evaluation test) {
        if (test == null) {
            return;
        }
        line.put("test_loss", test.loss());
        line.put("test_acc", test.top1());
        if (test.hasTop5()) {
            line.put("test_top5", test.top5());
        }
    }
}
