package io.twa4j.cli;

import io.twa4j.core.io.Json;
import io.twa4j.vision.models.ModelZoo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j models}: every model with its number of trainable parameters. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models and their trainable-parameter counts.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10", description = "Number of classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--json", description = "Print a JSON array of {name, classes, parameters}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Check.positive("--classes", classes);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : ModelZoo.names()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("classes", classes);
            row.put("parameters", ModelZoo.countTrainableParameters(name, classes, ModelZoo.defaultInputShape(name)));
            rows.add(row);
        }
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(rows));
        } else {
            System.out.printf(Locale.ROOT, "%-16s %8s %14s%n", "model", "classes", "parameters");
            for (Map<String, Object> row : rows) {
                System.out.printf(Locale.ROOT, "%-16s %8d %,14d%n", row.get("name"), row.get("classes"), (Long) row.get("parameters"));
            }
        }
        return ExitCode.OK;
    }
}
