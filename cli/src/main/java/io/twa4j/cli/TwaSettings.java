package io.twa4j.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The settings of one TWA run, recorded in its {@code summary.json}.
 *
 * @param name the result's name (its directory under {@code RUN/twa/})
 * @param paramsStart first snapshot of the range (inclusive)
 * @param paramsEnd end of the range (exclusive)
 * @param paramsStride every k-th snapshot of the range
 * @param trainStart -1 to start at the mean of the snapshots, else the snapshot to start from
 * @param epochs TWA epochs
 * @param lr TWA learning rate
 * @param wd weight decay on the coefficients
 * @param momentum momentum on the coefficients
 * @param schedule step, constant or linear
 * @param milestones the step schedule's milestones as fractions of the TWA epochs
 * @param batchSize training batch size
 * @param tolerance relative residual below which a snapshot adds no basis row
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record TwaSettings(
        String name,
        int paramsStart,
        int paramsEnd,
        int paramsStride,
        int trainStart,
        int epochs,
        double lr,
        double wd,
        double momentum,
        String schedule,
        List<Double> milestones,
        int batchSize,
        double tolerance) {

    /** The snapshot indices the basis is built from. */
    List<Integer> snapshotIndices() {
        java.util.ArrayList<Integer> indices = new java.util.ArrayList<>();
        for (int i = paramsStart; i < paramsEnd; i += paramsStride) {
            indices.add(i);
        }
        return indices;
    }
}
