package io.twa4j.cli;

import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import java.util.LinkedHashMap;
import java.util.Map;

/** Appends one line per epoch to {@code RUN/metrics.jsonl}, tagged with the run's phase. */
final class MetricsListener implements TrainingListener {

    private final RunDirectory run;
    private final String phase;

    MetricsListener(RunDirectory run, String phase) {
        this.run = run;
        this.phase = phase;
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        run.appendMetrics(line(phase, epoch));
    }

    /** The metrics line of one epoch. */
    static Map<String, Object> line(String phase, EpochEvent epoch) {
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

    /** Adds {@code test_loss}, {@code test_acc} (and {@code test_top5}) when there is an evaluation. */
    static void putTest(Map<String, Object> line, Evaluation test) {
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
