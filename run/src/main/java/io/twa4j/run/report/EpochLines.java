package io.twa4j.run.report;

import io.twa4j.core.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/** One plain line per epoch (learning rate, training and test loss and accuracy, seconds), so logs stay readable. */
public class EpochLines implements TrainingListener {

    private final String phase;
    private final PrintStream out;
    private int epochs;

    /** Lines for {@code phase} ("train", "twa") on {@code out}. */
    public EpochLines(String phase, PrintStream out) {
        this.phase = phase;
        this.out = out;
    }

    /** The phase shown. */
    protected String phase() {
        return phase;
    }

    /** The epochs of the run. */
    protected int epochs() {
        return epochs;
    }

    @Override
    public void onRunStart(RunInfo run) {
        epochs = run.epochs();
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
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
}
