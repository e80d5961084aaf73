package io.twa4j.spark;

import java.util.Map;

/**
 * Where and how {@link SparkWorkers} starts its Spark application.
 *
 * @param master Spark's master URL: {@code spark://HOST:PORT} (a standalone cluster, such as the
 *     one {@code scripts/spark-standalone.sh} starts), {@code local-cluster[W,C,MB]} (W worker
 *     processes of this machine with C cores and MB MiB each; needs {@code SPARK_HOME} with a
 *     {@code jars/} folder) or {@code local[N]} (threads of this JVM)
 * @param appName the application's name in Spark's UI and logs
 * @param driverHost the address executors reach the driver (and its rendezvous) at; null lets
 *     Spark choose ({@code SPARK_LOCAL_IP}, else this machine's first non-loopback address)
 * @param classPath how the executors get the project's classes
 * @param threadsPerWorker the cores each worker's task takes ({@code spark.task.cpus}, {@code
 *     spark.executor.cores}) and the engine's intra-op threads ({@code ai.djl.pytorch.num_threads});
 *     ignored for {@code local[N]}, whose tasks run in this JVM with its settings
 * @param executorMemory each executor's heap ({@code spark.executor.memory}, e.g. {@code 4g});
 *     null for Spark's default (1g)
 * @param sparkProperties any further Spark properties, set last (they win)
 */
public record ClusterOptions(String master, String appName, String driverHost, ExecutorClassPath classPath,
        int threadsPerWorker, String executorMemory, Map<String, String> sparkProperties) {

    /** Checks the options; one line names the first bad one. */
    public ClusterOptions {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("no Spark master URL given");
        }
        if (appName == null || appName.isBlank()) {
            throw new IllegalArgumentException("no Spark application name given");
        }
        if (classPath == null) {
            throw new IllegalArgumentException("no executor class path given");
        }
        if (threadsPerWorker < 1) {
            throw new IllegalArgumentException("threads per worker must be at least 1, got " + threadsPerWorker);
        }
        sparkProperties = Map.copyOf(sparkProperties);
    }

    /**
     * {@code master} with one thread per worker, Spark's executor memory, the driver's class path
     * on the executors ({@link ExecutorClassPath#sameMachine()}), and the driver on 127.0.0.1 when
     * the master is local or on loopback (else Spark's choice).
     */
    public static ClusterOptions of(String master, String appName) {
        return new ClusterOptions(master, appName, SparkSettings.isLoopback(master) ? "127.0.0.1" : null,
                ExecutorClassPath.sameMachine(), 1, null, Map.of());
    }

    /** These options with another driver address (null: Spark's choice). */
    public ClusterOptions withDriverHost(String host) {
        return new ClusterOptions(master, appName, host, classPath, threadsPerWorker, executorMemory, sparkProperties);
    }

    /** These options with another executor class path. */
    public ClusterOptions withClassPath(ExecutorClassPath path) {
        return new ClusterOptions(master, appName, driverHost, path, threadsPerWorker, executorMemory, sparkProperties);
    }

    /** These options with {@code threads} cores per worker. */
    public ClusterOptions withThreadsPerWorker(int threads) {
        return new ClusterOptions(master, appName, driverHost, classPath, threads, executorMemory, sparkProperties);
    }

    /** These options with another executor heap (null: Spark's default). */
    public ClusterOptions withExecutorMemory(String memory) {
        return new ClusterOptions(master, appName, driverHost, classPath, threadsPerWorker, memory, sparkProperties);
    }

    /** These options with further Spark properties (replacing those given before). */
    public ClusterOptions withSparkProperties(Map<String, String> properties) {
        return new ClusterOptions(master, appName, driverHost, classPath, threadsPerWorker, executorMemory, properties);
    }
}
