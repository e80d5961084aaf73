package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code twa4j soup}: a greedy soup of a run's three snapshots prints its order, each decision and the accuracies. */
class SoupCommandTest {

    @TempDir
    Path temp;

    @Test
    void aGreedySoupPrintsTheOrderTheDecisionsAndTheAccuracies() {
        Path run = temp.resolve("run");
        String[] data = {"--data", "synthetic", "--train-limit", "600", "--test-limit", "100", "--batch-size", "32", "--val-ratio", "0.2"};
        CliRunner.Result trained = CliRunner.run(concat(new String[] {"train", "--epochs", "2", "--lr", "0.05", "--run", run.toString()},
                data));
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        assertThat(trained.out()).doesNotContain("val_acc"); // the metrics file has them, the console its plain lines

        CliRunner.Result soup = CliRunner.run(concat(new String[] {"soup", "--method", "greedy", "--run", temp.resolve("soups").toString(),
            "--models", run + ":0", run + ":1", run + ":2"}, data));
        assertThat(soup.exitCode()).as(soup.err()).isZero();
        assertThat(soup.out()).contains("greedy soup, ingredients by held-out accuracy: ")
                .contains("start with ").containsPattern("(add|skip) " + java.util.regex.Pattern.quote(run.toString()) + ":\\d: held-out 0\\.\\d{4}")
                .contains("greedy soup: held-out accuracy");
        assertThat(temp.resolve("soups/soup/greedy/coefficients.csv")).isRegularFile();

        CliRunner.Result noSplit = CliRunner.run("soup", "--method", "uniform", "--data", "synthetic", "--run", temp.resolve("x").toString(),
                "--models", run + ":1", run + ":2");
        assertThat(noSplit.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(noSplit.err()).contains("--val-ratio");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
