package io.twa4j.run.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.train.Evaluation;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam for methods on a run: a method of a few lines gets the shared steps (BatchNorm update
 * and evaluation into metrics.jsonl, a result directory written whole and recorded) from its
 * context, and an existing result is not replaced unless asked.
 */
class RunMethodTest {

    @TempDir
    Path temp;

    /** The model as initialised, evaluated after a BatchNorm update and written as a result. */
    private record Initialisation(String name) implements RunMethod<Evaluation> {
        @Override
        public String resultPath() {
            return "init/" + name;
        }

        @Override
        public Evaluation run(MethodContext context) {
            Workspace workspace = context.workspace();
            Evaluation evaluation = context.evaluateAfterBatchNorm(workspace.trainBatches(), workspace.testBatches(), "init", 0, name)
                    .test();
            context.writeResult(resultPath(), dir -> {
                workspace.writeWeights(dir.resolve("weights.safetensors"), Map.of("method", "init"));
                AtomicFiles.writeString(dir.resolve("accuracy.txt"), evaluation.top1() + "\n");
            });
            return evaluation;
        }
    }

    @Test
    void aMethodGetsTheSharedStepsFromItsContext() throws Exception {
        RunConfig config = RunConfig.train(DataConfig.of("synthetic").limit(256, 100), "cnn", OptimizerConfig.reference(1, 0.05), 1);
        RunDirectory run = RunDirectory.create(temp.resolve("run"), false);
        run.writeConfig(config);
        try (Workspace workspace = Workspace.open(config, Device.cpu())) {
            MethodContext context = new MethodContext(workspace, run, Console.silent(), false);
            Evaluation evaluation = context.execute(new Initialisation("a"));
            assertThat(evaluation.examples()).isEqualTo(100);
            assertThat(run.resolve("init/a/accuracy.txt")).hasContent(evaluation.top1() + "");
            assertThat(run.results().entries().keySet()).containsExactly("init/a/accuracy.txt", "init/a/weights.safetensors");
            List<String> metrics = Files.readAllLines(run.resolve(RunDirectory.METRICS));
            assertThat(metrics).hasSize(1);
            assertThat(metrics.get(0)).startsWith("{\"phase\":\"init\",\"epoch\":0,\"name\":\"a\",\"test_loss\":");

            assertThatThrownBy(() -> context.execute(new Initialisation("a")))
                    .isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.SETTINGS))
                    .hasMessageContaining("already exists");
            new MethodContext(workspace, run, Console.silent(), true).execute(new Initialisation("a"));
            assertThat(run.results().entries()).hasSize(2);
        }
        try (var leftovers = Files.walk(run.root())) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith("."))).isEmpty();
        }
    }
}
