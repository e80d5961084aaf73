package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input ends with one line naming the problem, a specific exit code and nothing left behind. */
class BadInputTest {

    @TempDir
    Path temp;

    private static void assertOneLine(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(code);
        assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
        for (String fragment : fragments) {
            assertThat(result.err()).contains(fragment);
        }
    }

    @Test
    void unknownModelListsTheValidOnes() {
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--model", "alexnet", "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.USAGE, "alexnet", "VGG16BN", "cnn");
        assertThat(temp.resolve("r")).doesNotExist();
    }

    @Test
    void unknownDatasetListsTheValidOnes() {
        CliRunner.Result result = CliRunner.run("train", "--data", "imagenet21k", "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.USAGE, "imagenet21k", "fashion-mnist", "cifar10");
    }

    @Test
    void badNumbersNameTheFlag() {
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--lr", "-1", "--run", temp.resolve("a").toString()),
                ExitCode.USAGE, "--lr");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--batch-size", "0", "--run", temp.resolve("b").toString()),
                ExitCode.USAGE, "--batch-size");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--epochs", "x", "--run", temp.resolve("c").toString()),
                ExitCode.USAGE, "--epochs");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--schedule", "cosine", "--run", temp.resolve("d").toString()),
                ExitCode.USAGE, "cosine", "step, constant, linear");
    }

    @Test
    void aModelThatCannotTakeTheDatasetsImagesIsRefusedBeforeAnythingIsWritten() {
        Path run = temp.resolve("r");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--model", "vgg16", "--run", run.toString()),
                ExitCode.USAGE, "--model VGG16 does not fit --data synthetic", "32x32", "1x28x28");
        assertThat(run).doesNotExist();
    }

    @Test
    void aMissingDatasetNamesTheFilesExpected() {
        Path empty = temp.resolve("empty");
        CliRunner.Result result = CliRunner.run("train", "--data", "cifar10", "--data-dir", empty.toString(), "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.BAD_INPUT, "data_batch_1.bin");
        assertThat(temp.resolve("r")).doesNotExist();
    }

    @Test
    void anExistingRunIsRefusedWithoutOverwrite() throws IOException {
        Path run = temp.resolve("r");
        Files.createDirectories(run);
        Files.writeString(run.resolve("keep.txt"), "precious");
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--run", run.toString());
        assertOneLine(result, ExitCode.USAGE, "--overwrite");
        assertThat(run.resolve("keep.txt")).hasContent("precious");
    }

    @Test
    void evalOfAMissingRunOrSnapshotIsClear() throws IOException {
        assertOneLine(CliRunner.run("eval", "--run", temp.resolve("nothing").toString(), "--snapshot", "0"),
                ExitCode.BAD_INPUT, "run.json");
        assertOneLine(CliRunner.run("eval", "--run", temp.toString()), ExitCode.USAGE, "--snapshot");
    }
}
