package io.twa4j.core.snapshot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where in training a snapshot was taken, and what was measured there.
 *
 * @param epoch epochs completed (0 = the initialisation)
 * @param step optimizer steps into the current epoch (0 at the end of an epoch)
 * @param globalStep optimizer steps since the start of training
 * @param lr the learning rate in effect
 * @param metrics named measurements (loss, accuracy, ...), in insertion order; may be empty
 */
public record SnapshotMeta(int epoch, int step, long globalStep, double lr, Map<String, Double> metrics) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a negative count, a negative or non-finite learning
     *     rate, or a null, empty or non-finite metric
     */
    public SnapshotMeta {
        if (epoch < 0 || step < 0 || globalStep < 0) {
            throw new IllegalArgumentException(
                    "negative position: epoch " + epoch + ", step " + step + ", global step " + globalStep);
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and non-negative, not " + lr);
        }
        Map<String, Double> copy = new LinkedHashMap<>();
        if (metrics != null) {
            for (Map.Entry<String, Double> m : metrics.entrySet()) {
                if (m.getKey() == null || m.getKey().isEmpty()) {
                    throw new IllegalArgumentException("a metric needs a name");
                }
                if (m.getValue() == null || !Double.isFinite(m.getValue())) {
                    throw new IllegalArgumentException("metric '" + m.getKey() + "' is " + m.getValue()
                            + "; only finite numbers can be recorded");
                }
                copy.put(m.getKey(), m.getValue());
            }
        }
        metrics = Collections.unmodifiableMap(copy);
    }

    /** A snapshot position without metrics. */
    public static SnapshotMeta of(int epoch, int step, long globalStep, double lr) {
        return new SnapshotMeta(epoch, step, globalStep, lr, Map.of());
    }

    /** The same position with {@code metrics} instead. */
    public SnapshotMeta withMetrics(Map<String, Double> metrics) {
        return new SnapshotMeta(epoch, step, globalStep, lr, metrics);
    }
}
