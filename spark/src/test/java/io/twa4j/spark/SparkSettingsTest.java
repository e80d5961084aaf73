package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark configuration SparkWorkers starts with, read without starting Spark. */
class SparkSettingsTest {

    @Test
    void executorsGetTheLaunchersEngineSettings() {
        SparkConf conf = SparkSettings.conf(ClusterOptions.of("spark://127.0.0.1:7077", "app").withThreadsPerWorker(3));

        assertThat(conf.get("spark.executor.extraJavaOptions")).contains("-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=3", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dai.djl.pytorch.graph_optimizer=false", "-XX:+AlwaysPreTouch");
        for (String name : SparkSettings.ENGINE_ENVIRONMENT.keySet()) {
            String driverValue = System.getenv(name);
            assertThat(conf.get("spark.executorEnv." + name))
                    .isEqualTo(driverValue != null ? driverValue : SparkSettings.ENGINE_ENVIRONMENT.get(name));
        }
        assertThat(conf.get("spark.executorEnv.SPARK_SCALA_VERSION")).isEqualTo("2.12");
        assertThat(conf.get("spark.executor.cores")).isEqualTo("3");
        assertThat(conf.get("spark.task.cpus")).isEqualTo("3");
    }

    @Test
    void aLoopbackMasterPutsTheDriverOnLoopbackAndOthersLeaveItToSpark() {
        assertThat(SparkSettings.conf(ClusterOptions.of("spark://127.0.0.1:7077", "app")).get("spark.driver.host"))
                .isEqualTo("127.0.0.1");
        assertThat(SparkSettings.conf(ClusterOptions.of("local[2]", "app")).get("spark.driver.host")).isEqualTo("127.0.0.1");
        assertThat(SparkSettings.conf(ClusterOptions.of("spark://node7:7077", "app")).contains("spark.driver.host")).isFalse();
        assertThat(SparkSettings.conf(ClusterOptions.of("spark://node7:7077", "app").withDriverHost("10.0.0.5"))
                .get("spark.driver.host")).isEqualTo("10.0.0.5");
    }

    @Test
    void tasksInTheDriversJvmTakeNoCoresOfAnExecutor() {
        SparkConf conf = SparkSettings.conf(ClusterOptions.of("local[4]", "app").withThreadsPerWorker(2));

        assertThat(conf.contains("spark.task.cpus")).isFalse();
        assertThat(conf.contains("spark.executor.cores")).isFalse();
    }

    @Test
    void theExecutorsGetTheDriversClassPathOnOneMachineAndJarsOnOthers(@TempDir Path dir) throws IOException {
        SparkConf same = SparkSettings.conf(ClusterOptions.of("local-cluster[2,1,1024]", "app"));
        assertThat(same.get("spark.executor.extraClassPath")).isEqualTo(System.getProperty("java.class.path"));

        Path a = Files.createFile(dir.resolve("a.jar"));
        Path b = Files.createFile(dir.resolve("b.jar"));
        SparkConf shipped = SparkSettings.conf(ClusterOptions.of("spark://node7:7077", "app")
                .withClassPath(ExecutorClassPath.jars(List.of(a, b))));
        assertThat(shipped.get("spark.jars")).isEqualTo(a.toAbsolutePath() + "," + b.toAbsolutePath());
        assertThat(shipped.contains("spark.executor.extraClassPath")).isFalse();

        SparkConf provided = SparkSettings.conf(ClusterOptions.of("spark://node7:7077", "app")
                .withClassPath(ExecutorClassPath.onCluster()));
        assertThat(provided.contains("spark.jars") || provided.contains("spark.executor.extraClassPath")).isFalse();
    }

    @Test
    void onlyJarFilesCanBeShipped(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectory(dir.resolve("classes"));

        assertThatThrownBy(() -> ExecutorClassPath.jars(List.of(classes)))
                .hasMessage("not a jar file to ship to the executors: " + classes + " (a directory: package it with mvn package)");
        assertThatThrownBy(() -> ExecutorClassPath.jars(List.of(dir.resolve("gone.jar"))))
                .hasMessage("not a jar file to ship to the executors: " + dir.resolve("gone.jar"));
        assertThatThrownBy(() -> ExecutorClassPath.jars(List.of())).hasMessage("no jars to ship to the executors");
    }

    @Test
    void givenSparkPropertiesWin() {
        SparkConf conf = SparkSettings.conf(ClusterOptions.of("local[2]", "app")
                .withSparkProperties(Map.of("spark.executorEnv.MALLOC_TOP_PAD_", "1", "spark.ui.enabled", "false")));

        assertThat(conf.get("spark.executorEnv.MALLOC_TOP_PAD_")).isEqualTo("1");
        assertThat(conf.get("spark.ui.enabled")).isEqualTo("false");
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> ClusterOptions.of(" ", "app")).hasMessage("no Spark master URL given");
        assertThatThrownBy(() -> ClusterOptions.of("local[2]", "")).hasMessage("no Spark application name given");
        assertThatThrownBy(() -> ClusterOptions.of("local[2]", "app").withThreadsPerWorker(0))
                .hasMessage("threads per worker must be at least 1, got 0");
        assertThatThrownBy(() -> new StagePolicy(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1), 1))
                .hasMessage("the collective timeout must be positive, got PT0S");
        assertThatThrownBy(() -> new StagePolicy(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 0))
                .hasMessage("a stage needs at least one attempt, got 0");
    }
}
