package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code twa4j finetune}: the model comes from the run the weights come from; another model's weights are refused. */
class FinetuneCommandTest {

    @TempDir
    Path temp;

    private static final String[] TINY = {"--data", "synthetic", "--train-limit", "64", "--test-limit", "32", "--batch-size", "32",
        "--epochs", "1", "--device", "cpu"};

    private static String[] with(String[] tail, String... head) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void theModelComesFromTheRunOfTheWeights() throws Exception {
        Path pre = temp.resolve("pre");
        CliRunner.Result trained = CliRunner.run(with(TINY, "train", "--model", "PreResNet20", "--run", pre.toString()));
        assertThat(trained.exitCode()).as(trained.err()).isZero();

        Path tuned = temp.resolve("tuned");
        CliRunner.Result finetuned = CliRunner.run(with(TINY, "finetune", "--from", pre + ":1", "--lr", "0.01", "--run", tuned.toString()));
        assertThat(finetuned.exitCode()).as(finetuned.err()).isZero();
        assertThat(Files.readString(tuned.resolve("run.json"))).contains("\"model\" : \"PreResNet20\"").contains("\"from\" : \"" + pre + ":1\"");

        CliRunner.Result other = CliRunner.run(with(TINY, "finetune", "--from", pre + ":1", "--model", "cnn", "--run",
                temp.resolve("x").toString()));
        assertThat(other.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(other.err()).contains(pre + ":1").contains("does not match model cnn").contains("--new-head");
        assertThat(temp.resolve("x")).doesNotExist();
    }
}
