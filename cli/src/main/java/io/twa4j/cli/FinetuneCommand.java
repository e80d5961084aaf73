package io.twa4j.cli;

import io.twa4j.run.config.InitConfig;
import io.twa4j.run.config.RunConfig;
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
            "applies (the learning rate is usually lower, e.g. --lr 0.01)."})
final class FinetuneCommand extends TrainCommand {

    @Option(names = "--from", paramLabel = "WEIGHTS|RUN:INDEX", required = true,
            description = "The weights to start from.")
    String from;

    @Option(names = "--new-head", description = "Start the classifier afresh instead of taking it from --from.")
    boolean newHead;

    @Override
    String command() {
        return "finetune";
    }

    @Override
    RunConfig config(String command) {
        return super.config(command).withInit(Check.flags(() -> new InitConfig(from, newHead), java.util.Map.of("init.from", "--from")));
    }
}
