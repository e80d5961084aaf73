package io.twa4j.cli;

import ai.djl.Device;
import io.twa4j.core.train.Evaluation;
import io.twa4j.run.WeightsEvaluation;
import io.twa4j.core.io.Json;
import io.twa4j.run.report.MetricsListener;
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
    WeightsChoice source;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Option(names = "--json", description = "Print one JSON object (test_loss, test_acc, ...).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Device chosen = Devices.resolve(device);
        WeightsEvaluation result = source.snapshot != null ? WeightsEvaluation.ofSnapshot(run, source.snapshot, chosen)
                : WeightsEvaluation.ofWeights(run, source.weights, chosen);
        Evaluation evaluation = result.evaluation();
        if (json) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("source", result.source());
            values.putAll(MetricsListener.testValues(evaluation));
            values.put("examples", evaluation.examples());
            System.out.println(Json.COMPACT.writeValueAsString(values));
        } else {
            System.out.printf(Locale.ROOT, "%s: test loss %.4f, accuracy %.4f%s on %d examples%n", result.source(), evaluation.loss(),
                    evaluation.top1(), evaluation.hasTop5() ? String.format(Locale.ROOT, ", top-5 %.4f", evaluation.top5()) : "",
                    evaluation.examples());
        }
        return ExitCode.OK;
    }
}
