package io.twa4j.spark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * The Spark configuration of a {@link ClusterOptions}: the application, what executors on Java 17
 * need, the engine settings of the {@code twa4j} launcher for the executors, and gang scheduling
 * that does not sit out Spark's default 15 s between checks for free slots.
 */
final class SparkSettings {

    /**
     * The launcher's environment for the engine (see {@code ./twa4j}): malloc settings, so that
     * libtorch's large tensors stay in the heap instead of being mapped and unmapped every step,
     * and a short OpenMP spin, so that libtorch's idle workers leave the cores to the JVM's own
     * loops (the int8 basis). The driver's own values win.
     */
    static final Map<String, String> ENGINE_ENVIRONMENT = engineEnvironment();

    /** The Scala version of the Spark jars; Spark's launcher needs it to find them. */
    static final String SCALA_VERSION = "2.12";

    private SparkSettings() {}

    /** The configuration {@link SparkWorkers#start} starts Spark with. */
    static SparkConf conf(ClusterOptions options) {
        SparkConf conf = new SparkConf().setMaster(options.master()).setAppName(options.appName());
        if (options.driverHost() != null) {
            conf.set("spark.driver.host", options.driverHost());
            conf.set("spark.driver.bindAddress", options.driverHost());
        }
        conf.set("spark.executorEnv.SPARK_SCALA_VERSION", SCALA_VERSION);
        // a barrier stage waits for free slots for all its tasks: look every second (Spark: 15 s),
        // for up to 5 minutes, then fail the job saying so
        conf.set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        conf.set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "300");
        applyEngine(conf, options.threadsPerWorker());
        if (!tasksInThisJvm(options.master())) {
            conf.set("spark.executor.cores", Integer.toString(options.threadsPerWorker()));
            conf.set("spark.task.cpus", Integer.toString(options.threadsPerWorker()));
        }
        if (options.executorMemory() != null) {
            conf.set("spark.executor.memory", options.executorMemory());
        }
        options.classPath().applyTo(conf);
        options.sparkProperties().forEach(conf::set);
        return conf;
    }

    /** Whether the tasks of {@code master} run in this JVM ({@code local}, {@code local[N]}), with no executors of their own. */
    static boolean tasksInThisJvm(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    /** Whether {@code master} runs in this JVM or on this machine's loopback. */
    static boolean isLoopback(String master) {
        return master.startsWith("local") || master.startsWith("spark://127.") || master.startsWith("spark://localhost:");
    }

    /** The launcher's environment and engine properties, for the executors' JVMs. */
    private static void applyEngine(SparkConf conf, int threads) {
        ENGINE_ENVIRONMENT.forEach((name, value) -> {
            String driverValue = System.getenv(name);
            conf.set("spark.executorEnv." + name, driverValue != null ? driverValue : value);
        });
        String engine = String.join(" ",
                "-XX:+AlwaysPreTouch",
                "--add-modules=jdk.incubator.vector", // the int8 basis's SIMD loops, as the launcher's
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + threads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dai.djl.pytorch.graph_optimizer=false",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=off");
        String given = conf.get("spark.executor.extraJavaOptions", "");
        conf.set("spark.executor.extraJavaOptions", given.isBlank() ? engine : given + " " + engine);
    }

    private static Map<String, String> engineEnvironment() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("MALLOC_MMAP_THRESHOLD_", "33554432");
        defaults.put("MALLOC_TRIM_THRESHOLD_", "17179869184");
        defaults.put("MALLOC_TOP_PAD_", "268435456");
        defaults.put("GOMP_SPINCOUNT", "10000");
        return Collections.unmodifiableMap(defaults);
    }
}
