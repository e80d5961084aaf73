package io.twa4j.run.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** The process's resident memory (Linux {@code /proc/self/status}), recorded with the metrics to show it does not grow. */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {}

    /** Resident set size in MiB, or empty where the platform does not tell. */
    public static OptionalLong megabytes() {
        return field("VmRSS:");
    }

    /** The peak resident set size so far in MiB, or empty where the platform does not tell. */
    public static OptionalLong peakMegabytes() {
        return field("VmHWM:");
    }

    /**
     * Resets the peak resident set size to the current one (Linux 4.0+: {@code 5} written to
     * {@code /proc/self/clear_refs}), so that {@link #peakMegabytes()} measures from now; returns
     * whether it could.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * What {@code work} returned and the peak resident set size in MiB while it ran.
     *
     * @param value the work's result
     * @param peakMib the peak from a reset before the work, or null where Linux does not tell
     */
    public record Measured<T>(T value, Long peakMib) {}

    /** Runs {@code work} between a {@link #resetPeak()} and a read of the peak. */
    public static <T> Measured<T> peakOf(Supplier<T> work) {
        boolean reset = resetPeak();
        T value = work.get();
        OptionalLong peak = peakMegabytes();
        return new Measured<>(value, reset && peak.isPresent() ? peak.getAsLong() : null);
    }

    private static OptionalLong field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: the figure is optional
        }
        return OptionalLong.empty();
    }
}
