package io.twa4j.run.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.InitConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fine-tuning run starts from the given weights (its snapshot 0 is them), with a fresh head when asked. */
class FinetuneTest {

    @TempDir
    Path temp;

    @Test
    void aFinetuneStartsFromTheGivenWeightsAndANewHeadStartsFresh() throws Exception {
        RunConfig base = RunConfig.train(DataConfig.of("synthetic").limit(256, 64), "cnn", OptimizerConfig.reference(1, 0.05), 1);
        Path pre = temp.resolve("pre");
        TrainingJob.start(TrainingJob.Request.of(base, pre), Console.silent());
        Path trained = pre.resolve("snapshots/000001.safetensors");

        RunConfig finetune = base.withCommand("finetune").withSeed(2).withInit(new InitConfig(pre + ":1", false));
        TrainingJob.start(TrainingJob.Request.of(finetune, temp.resolve("same")), Console.silent());
        RunConfig newHead = base.withCommand("finetune").withSeed(2).withInit(new InitConfig(trained.toString(), true));
        TrainingJob.start(TrainingJob.Request.of(newHead, temp.resolve("head")), Console.silent());
        assertThat(RunDirectory.open(temp.resolve("head")).readConfig().init()).isEqualTo(new InitConfig(trained.toString(), true));

        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> from = SafeTensors.read(trained, manager);
            Map<String, NDArray> same = SafeTensors.read(temp.resolve("same/snapshots/000000.safetensors"), manager);
            Map<String, NDArray> head = SafeTensors.read(temp.resolve("head/snapshots/000000.safetensors"), manager);
            List<String> names = List.copyOf(from.keySet());
            for (String name : names) {
                assertThat(same.get(name).toFloatArray()).as(name).containsExactly(from.get(name).toFloatArray());
            }
            List<String> headNames = names.stream().filter(n -> !n.contains("running")).toList();
            headNames = headNames.subList(headNames.size() - 2, headNames.size());
            for (String name : names) {
                boolean equal = Arrays.equals(head.get(name).toFloatArray(), from.get(name).toFloatArray());
                assertThat(equal).as("%s %s", name, headNames.contains(name) ? "(head: fresh)" : "(taken over)")
                        .isEqualTo(!headNames.contains(name));
            }
        }
    }

    @Test
    void weightsOfAnotherModelAreRefusedNamingTheParameter() {
        RunConfig base = RunConfig.train(DataConfig.of("synthetic").limit(256, 64), "cnn", OptimizerConfig.reference(1, 0.05), 1);
        Path bogus = temp.resolve("bogus.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafeTensors.write(bogus, Map.of("fc_weight", manager.zeros(new ai.djl.ndarray.types.Shape(2, 2))), Map.of());
        }
        RunConfig finetune = base.withCommand("finetune").withInit(new InitConfig(bogus.toString(), false));
        assertThatThrownBy(() -> TrainingJob.start(TrainingJob.Request.of(finetune, temp.resolve("x")), Console.silent()))
                .isInstanceOf(RunError.class).hasMessageContaining(bogus.toString()).hasMessageContaining("fc_weight");
        assertThat(temp.resolve("x")).doesNotExist();
    }
}
