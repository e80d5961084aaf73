package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --master}: the workers as a Spark barrier stage. In {@code local[2]} (threads of this
 * JVM) they write what one process writes; in {@code local-cluster} (executor processes) an
 * executor killed in the middle of the run makes Spark run the stage again, which continues from
 * the run's state and ends where the uninterrupted run does, bit for bit. With {@code
 * TWA4J_SPARK_MASTER} set (CI starts {@code scripts/spark-standalone.sh}), train and TWA also run
 * on that standalone cluster.
 */
@Timeout(900)
class SparkMasterTest {

    @TempDir
    Path temp;

    private static String[] train(Path run, String master, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "cnn", "--epochs", "3", "--lr", "0.05",
                "--train-limit", "2048", "--test-limit", "128", "--seed", "7", "--device", "cpu", "--run", run.toString()));
        if (master != null) {
            args.addAll(List.of("--master", master, "--workers", "2", "--worker-threads", "1"));
        }
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void inLocalModeTwoTasksTrainAndRunTwaWritingWhatOneProcessWrites() throws Exception {
        Path single = temp.resolve("single");
        Path spark = temp.resolve("spark");
        assertThat(CliRunner.run(train(single, null)).exitCode()).isZero();
        CliRunner.Result result = CliRunner.run(train(spark, "local[2]"));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("running 2 workers as a Spark barrier stage on local[2]");
        assertThat(Files.readAllBytes(spark.resolve("snapshots/000000.safetensors")))
                .isEqualTo(Files.readAllBytes(single.resolve("snapshots/000000.safetensors")));
        // TWA writes its start into the weights before training: on Spark's task threads too
        for (Path run : List.of(single, spark)) {
            List<String> twa = new ArrayList<>(List.of("twa", "--run", run.toString(), "--params-start", "0", "--params-end", "3",
                    "--epochs", "1", "--lr", "0.5"));
            if (run == spark) {
                twa.addAll(List.of("--master", "local[2]", "--workers", "2", "--worker-threads", "1"));
            }
            CliRunner.Result done = CliRunner.run(twa.toArray(String[]::new));
            assertThat(done.exitCode()).as(done.err()).isZero();
        }
        assertThat(TinyRun.files(spark)).isEqualTo(TinyRun.files(single));
    }

    @Test
    void aKilledExecutorMakesSparkRunTheStageAgainFromTheRunsState() throws Exception {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        String cluster = "local-cluster[2,1,2048]";
        Path straight = temp.resolve("straight");
        CliRunner.Result uninterrupted = CliRunner.run(train(straight, cluster));
        assertThat(uninterrupted.exitCode()).as(uninterrupted.err()).isZero();

        Path killed = temp.resolve("killed");
        CompletableFuture<CliRunner.Result> running = CompletableFuture.supplyAsync(() -> CliRunner.run(train(killed, cluster)));
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Files.exists(killed.resolve("snapshots/000001.safetensors")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ProcessHandle executor = ProcessHandle.current().descendants().filter(SparkMasterTest::isExecutor).findFirst()
                .orElseThrow(() -> new AssertionError("no executor process among " + ProcessHandle.current().descendants()
                        .map(process -> process.pid() + " " + process.info().command().orElse("?")).toList()));
        executor.destroyForcibly();
        CliRunner.Result retried = running.get();
        assertThat(retried.exitCode()).as(retried.err()).isZero();
        assertThat(retried.err()).contains("running all 2 workers again");
        assertThat(Files.readAllBytes(killed.resolve("snapshots/000003.safetensors")))
                .isEqualTo(Files.readAllBytes(straight.resolve("snapshots/000003.safetensors")));
    }

    @Test
    void onTheStandaloneClusterOfTheScriptTrainAndTwaRun() throws Exception {
        String master = System.getenv("TWA4J_SPARK_MASTER");
        org.junit.jupiter.api.Assumptions.assumeTrue(master != null,
                "TWA4J_SPARK_MASTER is not set (scripts/spark-standalone.sh start 2 prints one)");
        Path run = temp.resolve("standalone");
        CliRunner.Result trained = CliRunner.run(train(run, master));
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        CliRunner.Result twa = CliRunner.run("twa", "--run", run.toString(), "--params-start", "0", "--params-end", "3", "--epochs", "1",
                "--lr", "0.5", "--master", master, "--workers", "2", "--worker-threads", "1");
        assertThat(twa.exitCode()).as(twa.err()).isZero();
        assertThat(run.resolve("twa/p0-3/coefficients.csv")).exists();
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSizeGreaterThan(3);
    }

    /** Whether {@code process} is a Spark executor (its main class is on its command line). */
    private static boolean isExecutor(ProcessHandle process) {
        return ChildProcess.commandLine(process).stream().anyMatch(argument -> argument.endsWith("CoarseGrainedExecutorBackend"));
    }
}
