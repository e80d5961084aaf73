package io.twa4j.cli;

import io.twa4j.run.Console;
import io.twa4j.run.report.EpochLines;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The console of the command: a bar per epoch (rate, ETA, running loss) when the standard output
 * is a terminal, and the plain line per epoch always; SIGINT/SIGTERM as the stop request.
 */
final class ProgressBars extends EpochLines {

    private final boolean interactive;
    private ProgressBar bar;

    ProgressBars(String phase, PrintStream out, boolean interactive) {
        super(phase, out);
        this.interactive = interactive;
    }

    /** The command's console on the standard output. */
    static Console console() {
        return console(StopSignals.install());
    }

    /** The console on the standard output with another stop request (a worker's). */
    static Console console(java.util.function.BooleanSupplier stopRequest) {
        boolean interactive = System.console() != null;
        return new Console(System.out, phase -> new ProgressBars(phase, System.out, interactive), stopRequest);
    }

    @Override
    public void onStep(StepEvent step) {
        if (!interactive) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "%s %d/%d", phase(), step.epoch() + 1, epochs()))
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
        closeBar();
        super.onEpochEnd(epoch);
    }

    @Override
    public void onRunEnd() {
        closeBar();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
