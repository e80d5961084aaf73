package io.twa4j.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import ai.djl.ndarray.types.DataType;
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
 * @param basisDtype how the basis is stored: f32 or f16
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
        double tolerance,
        String basisDtype) {

    /** The engine type for {@code --basis-dtype}: f32 or f16 (bf16 is refused: the engine aborts on it). */
    static DataType storage(String flag, String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32":
                return DataType.FLOAT32;
            case "f16":
                return DataType.FLOAT16;
            case "bf16":
                throw UserError.usage(flag + " bf16 is not available: DJL 0.36's PyTorch engine aborts the JVM on bfloat16"
                        + " arrays; use f16 (same size) or f32");
            default:
                throw UserError.usage("unknown " + flag + " '" + name + "'; valid: f32, f16");
        }
    }

    /** The engine type of {@link #basisDtype}. */
    DataType storage() {
        return storage("--basis-dtype", basisDtype);
    }

    /** The snapshot indices the basis is built from. */
    List<Integer> snapshotIndices() {
        java.util.ArrayList<Integer> indices = new java.util.ArrayList<>();
        for (int i = paramsStart; i < paramsEnd; i += paramsStride) {
            indices.add(i);
        }
        return indices;
    }
}
