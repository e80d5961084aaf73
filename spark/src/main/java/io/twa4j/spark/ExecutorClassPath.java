package io.twa4j.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;

/**
 * How the executors get the project's classes (the task and everything it calls).
 *
 * <ul>
 *   <li>{@link #sameMachine()}: executors on the driver's machine ({@code local-cluster}, or the
 *       cluster of {@code scripts/spark-standalone.sh}) put the driver's own class path first
 *       ({@code spark.executor.extraClassPath}); nothing is copied, and directories such as {@code
 *       target/classes} work too;
 *   <li>{@link #jars(List)} / {@link #driverJars()}: for a cluster on other machines, Spark copies
 *       the jars to every executor ({@code spark.jars});
 *   <li>{@link #onCluster()}: the cluster's executors already have them.
 * </ul>
 */
public sealed interface ExecutorClassPath {

    /** Sets the Spark properties that put these classes on the executors. */
    void applyTo(SparkConf conf);

    /** The executors use the driver's class path ({@code java.class.path}), as files of this machine. */
    static ExecutorClassPath sameMachine() {
        return new SameMachine(System.getProperty("java.class.path"));
    }

    /**
     * Spark copies these jars to every executor.
     *
     * @throws IllegalArgumentException naming the first path that is not a jar file
     */
    static ExecutorClassPath jars(List<Path> jars) {
        if (jars.isEmpty()) {
            throw new IllegalArgumentException("no jars to ship to the executors");
        }
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
                throw new IllegalArgumentException("not a jar file to ship to the executors: " + jar
                        + (Files.isDirectory(jar) ? " (a directory: package it with mvn package)" : ""));
            }
        }
        return new Jars(List.copyOf(jars));
    }

    /** {@link #jars(List)} of every entry of the driver's class path (all of them jars). */
    static ExecutorClassPath driverJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                jars.add(Path.of(entry).toAbsolutePath());
            }
        }
        return jars(jars);
    }

    /** The executors already have the classes: nothing is set. */
    static ExecutorClassPath onCluster() {
        return new OnCluster();
    }

    /** The driver's class path, for executors of the same machine. */
    record SameMachine(String classPath) implements ExecutorClassPath {
        @Override
        public void applyTo(SparkConf conf) {
            conf.set("spark.executor.extraClassPath", classPath);
        }
    }

    /** Jars that Spark copies to the executors. */
    record Jars(List<Path> jars) implements ExecutorClassPath {
        @Override
        public void applyTo(SparkConf conf) {
            conf.set("spark.jars", jars.stream().map(jar -> jar.toAbsolutePath().toString())
                    .collect(Collectors.joining(",")));
        }
    }

    /** Nothing to set. */
    record OnCluster() implements ExecutorClassPath {
        @Override
        public void applyTo(SparkConf conf) {}
    }
}
