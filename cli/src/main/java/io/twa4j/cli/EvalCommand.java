package io.twa4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.snapshot.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j eval}: evaluates a snapshot or a weights file on the run's test data. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a snapshot or a weights file on the run's test data (same data, limits and normalisation as the run).")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory.")
    Path run;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--snapshot", paramLabel = "K", description = "Snapshot index (see `twa4j inspect`).")
        Integer snapshot;

        @Option(names = "--weights", paramLabel = "FILE", description = "A safetensors file with the model's parameters.")
        Path weights;
    }

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Option(names = "--json", description = "Print one JSON object (test_loss, test_acc, ...).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunDirectory runDirectory = RunDirectory.open(run);
        RunConfig config = runDirectory.readConfig();
        Evaluation evaluation;
        String what;
        try (Workspace workspace = Workspace.open(config, Devices.resolve(device))) {
            try (NDManager scope = workspace.manager().newSubManager()) {
                Map<String, NDArray> tensors;
                if (source.snapshot != null) {
                    SnapshotStore store = SnapshotStore.open(runDirectory.root());
                    if (source.snapshot < 0 || source.snapshot >= store.size()) {
                        throw UserError.usage("--snapshot " + source.snapshot + " is not a snapshot of run " + run
                                + (store.size() == 0 ? ", which has none" : ": it has 0.." + (store.size() - 1)));
                    }
                    tensors = store.read(source.snapshot, scope);
                    what = "snapshot " + source.snapshot;
                } else {
                    if (!Files.isRegularFile(source.weights)) {
                        throw UserError.badInput("weights file " + source.weights + " does not exist");
                    }
                    runDirectory.checkBeforeRead(source.weights);
                    tensors = SafeTensors.read(source.weights, scope);
                    what = source.weights.toString();
                }
                workspace.load(tensors, what);
            }
            evaluation = new Evaluator(workspace.block(), workspace.manager()).evaluate(workspace.testBatches());
        }
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("source", what);
            MetricsListener.putTest(result, evaluation);
            result.put("examples", evaluation.examples());
            System.out.println(Json.COMPACT.writeValueAsString(result));
        } else {
            System.out.printf(Locale.ROOT, "%s: test loss %.4f, accuracy %.4f%s on %d examples%n", what, evaluation.loss(),
                    evaluation.top1(), evaluation.hasTop5() ? String.format(Locale.ROOT, ", top-5 %.4f", evaluation.top5()) : "",
                    evaluation.examples());
        }
        return ExitCode.OK;
    }
}
