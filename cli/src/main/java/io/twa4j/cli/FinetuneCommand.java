package io.twa4j.cli;

import io.twa4j.run.RunError;
import io.twa4j.run.config.InitConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.Sweep;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j finetune}: {@code train}, starting from given weights instead of a fresh initialisation. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a model from given weights, keeping snapshots as train does.",
            "",
            "--from names a safetensors file with every parameter (a snapshot, TWA or",
            "soup weights, an exported model) or RUN:INDEX for snapshot INDEX of a run.",
            "With --new-head the classifier (the model's last weight and bias) starts",
            "fresh: for another number of classes, or to retrain it. Every train flag",
            "applies (the learning rate is usually lower, e.g. --lr 0.01).",
            "With --sweep FILE, one run per entry of FILE into --run/NAME (the ingredients",
            "of a soup)."})
final class FinetuneCommand extends TrainCommand {

    @Option(names = "--from", paramLabel = "WEIGHTS|RUN:INDEX", required = true,
            description = "The weights to start from.")
    String from;

    @Option(names = "--new-head", description = "Start the classifier afresh instead of taking it from --from.")
    boolean newHead;

    @Option(names = "--sweep", paramLabel = "FILE",
            description = "Fine-tune one run per entry of FILE (a JSON array of {name, lr, epochs, seed, wd, momentum, schedule,"
                    + " augment}, each overriding these flags) into --run/NAME, one after the other; run again to continue an"
                    + " interrupted sweep. `twa4j soup --sweep DIR` then takes their last snapshots.")
    Path sweep;

    @Override
    public Integer call() {
        if (sweep == null) {
            return super.call();
        }
        if (runOptions.resume || runOptions.overwrite) {
            throw RunError.settings("--sweep continues an interrupted sweep by itself: drop --resume and --overwrite");
        }
        if (workers.workers > 1 || workers.master != null) {
            throw RunError.settings("--sweep runs its fine-tunes in this process: drop --workers and --master");
        }
        List<Sweep.Entry> entries = Sweep.read(sweep);
        RunConfig base = config(command());
        Check.flags(() -> Sweep.run(entries, base, runOptions.run, Devices.resolve(runOptions.device), ProgressBars.console()));
        return ExitCode.OK;
    }

    @Override
    String weightsSource() {
        return from;
    }

    @Override
    String command() {
        return "finetune";
    }

    @Override
    RunConfig config(String command) {
        return super.config(command).withInit(Check.flags(() -> new InitConfig(from, newHead), java.util.Map.of("init.from", "--from")));
    }
}
