package io.twa4j.cli;

import io.twa4j.core.twa.Basis;
import io.twa4j.run.RunError;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.soup.SoupJob;
import io.twa4j.run.train.Sweep;
import io.twa4j.run.twa.TwaSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code twa4j soup}: combine fine-tuned models (uniform, greedy, learned soups). */
@Command(name = "soup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Combine models of one architecture into a soup, chosen on held-out images.",
            "",
            "uniform: their equal average; greedy: by held-out accuracy, each joins only",
            "if the held-out accuracy of the average strictly improves (Wortsman et al.);",
            "learned: TWA with the models as the basis, trained on the held-out images;",
            "learned-by-layer: the same with one coefficient per model per --blocks.",
            "BatchNorm statistics are recomputed from the training images. Writes",
            "RUN/soup/METHOD/: weights.safetensors, coefficients.csv, summary.json, plots.",
            "Several methods may write into one --run, one after the other; the first",
            "fixes the data and the held-out split (give the split of the models' own runs)."})
final class SoupCommand implements Callable<Integer> {

    @Option(names = "--models", arity = "2..*", paramLabel = "W",
            description = "The ingredients: safetensors files (every parameter), or RUN:INDEX for snapshot INDEX of a run.")
    List<String> models;

    @Option(names = "--sweep", paramLabel = "DIR",
            description = "Instead of --models: the last snapshot of every run of a `finetune --sweep` directory, in its order.")
    Path sweep;

    @Option(names = "--method", paramLabel = "M", required = true, description = "uniform, greedy, learned or learned-by-layer.")
    String method;

    @Option(names = "--blocks", paramLabel = "per-tensor|per-layer|K", defaultValue = "per-layer",
            description = "learned-by-layer: one coefficient per model per tensor, per layer, or per K runs of tensors"
                    + " (default: ${DEFAULT-VALUE}).")
    String blocks;

    @Mixin
    DataOptions data;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "5", description = "Learned soup: epochs over the held-out images (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "2", description = "Learned soup: learning rate of the coefficients (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--wd", defaultValue = "1e-5", description = "Learned soup: weight decay on the coefficients (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--momentum", defaultValue = "0.9", description = "Learned soup: momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--schedule", defaultValue = "linear", description = "Learned soup: step, constant or linear (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Override
    public Integer call() {
        if (runOptions.resume) {
            throw RunError.settings("a soup is not resumed: run the method again (with --overwrite to replace a finished one)");
        }
        if ((models == null) == (sweep == null)) {
            throw RunError.settings("give the ingredients with either --models or --sweep");
        }
        List<String> ingredients = models != null ? models : Sweep.ingredients(sweep);
        OptimizerConfig optimizer = Check.flags(() -> new OptimizerConfig(epochs, lr, momentum, wd, schedule,
                OptimizerConfig.REFERENCE_MILESTONES));
        RunConfig config = runOptions.config("soup", data, optimizer, null, null, ingredients.get(0));
        TwaSettings learning = Check.flags(() -> new TwaSettings("learned", 0, ingredients.size(), 1, -1, epochs, lr, wd, momentum, schedule,
                OptimizerConfig.REFERENCE_MILESTONES, config.data().batchSize(), Basis.DEFAULT_TOLERANCE, "f32", "val", true, "global"),
                Map.of("params_end", "--models"));
        Check.flags(() -> SoupJob.run(new SoupJob.Request(ingredients, config, runOptions.run, method, learning, blocks,
                Devices.resolve(runOptions.device), runOptions.overwrite, runOptions.lock.mode()), ProgressBars.console()));
        return ExitCode.OK;
    }
}
