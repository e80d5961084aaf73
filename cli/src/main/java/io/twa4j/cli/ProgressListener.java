package io.twa4j.cli;

import io.twa4j.core.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows progress: a bar per epoch (rate, ETA, running loss) on a terminal, and one plain line per
 * epoch always, so logs of non-interactive runs stay readable.
 */
final class ProgressListener implements TrainingListener {

    private final String phase;
    private final PrintStream out;
    private final boolean interactive;
    private int epochs;
    private ProgressBar bar;

    ProgressListener(String phase, PrintStream out, boolean interactive) {
        this.phase = phase;
        this.out = out;
        this.interactive = interactive;
    }

    /** A listener that draws bars only when the standard output is a terminal. */
    static ProgressListener forConsole(String phase) {
        return new ProgressListener(phase, System.out, System.console() != null);
    }

    @Override
    public void onRunStart(RunInfo run) {
        epochs = run.epochs();
    }

    @Override
    public void onStep(StepEvent step) {
        if (!interactive) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "%s %d/%d", phase, step.epoch() + 1, epochs))
                    .setInitialMax(step.stepsPerEpoch())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" steps", 1)
                    .showSpeed()
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .build();
        }
        bar.stepTo(step.step() + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.4g", step.runningLoss(), step.lr()));
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "%s epoch %d/%d  lr %.4g  train loss %.4f acc %.4f",
                phase, epoch.epoch(), epochs, epoch.lr(), epoch.trainLoss(), epoch.trainAcc()));
        if (epoch.test() != null) {
            line.append(String.format(Locale.ROOT, "  test loss %.4f acc %.4f", epoch.test().loss(), epoch.test().top1()));
            if (epoch.test().hasTop5()) {
                line.append(String.format(Locale.ROOT, " top5 %.4f", epoch.test().top5()));
            }
        }
        line.append(String.format(Locale.ROOT, "  %.1f s", epoch.seconds()));
        out.println(line);
    }

    @Override
    public void onRunEnd() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
