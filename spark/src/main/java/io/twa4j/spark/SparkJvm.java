package io.twa4j.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The options a JVM that runs Spark on Java 17 needs: Spark's own list of {@code --add-opens}
 * (which Spark adds to the executors it starts, but not to the driver's JVM, nor to a standalone
 * Master or Worker). {@code java -cp ... io.twa4j.spark.SparkJvm} prints them on one line, for
 * launcher scripts.
 */
public final class SparkJvm {

    private static final String ADD_OPENS = "--add-opens=";

    private SparkJvm() {}

    /** Spark's JVM options for Java 17, space separated. */
    public static String moduleOptions() {
        return JavaModuleOptions.defaultModuleOptions();
    }

    /**
     * The {@code module/package} pairs of {@link #moduleOptions()} that this JVM does not open to
     * the unnamed module (where the class path lives); empty when Spark can run here.
     */
    public static List<String> missingOpens() {
        Module unnamed = SparkJvm.class.getClassLoader().getUnnamedModule();
        List<String> missing = new ArrayList<>();
        for (String option : moduleOptions().split(" ")) {
            if (!option.startsWith(ADD_OPENS)) {
                continue;
            }
            String target = option.substring(ADD_OPENS.length(), option.indexOf('=', ADD_OPENS.length()));
            String[] modulePackage = target.split("/", 2);
            Optional<Module> module = ModuleLayer.boot().findModule(modulePackage[0]);
            if (module.isPresent() && !module.get().isOpen(modulePackage[1], unnamed)) {
                missing.add(target);
            }
        }
        return missing;
    }

    /**
     * Fails with one line naming what is missing when this JVM was started without Spark's
     * options (Spark would otherwise fail later with an {@code IllegalAccessError} deep inside).
     */
    public static void requireModuleOptions() {
        List<String> missing = missingOpens();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("this JVM cannot run Spark: it was started without --add-opens for "
                    + missing + " (start java with the options `java -cp ... io.twa4j.spark.SparkJvm` prints)");
        }
    }

    /** Prints {@link #moduleOptions()}. */
    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("SparkJvm takes no arguments, got " + Arrays.toString(args));
            System.exit(2);
        }
        System.out.println(moduleOptions());
    }
}
