package io.twa4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * One batch prepared on the host (off the engine), ready to become NDArrays in a step's scope.
 *
 * <p>Keeping batches as plain Java arrays lets a background thread prepare them without touching
 * an {@link NDManager}; the training loop turns them into arrays inside its per-step manager.
 *
 * @param features the inputs, row-major, of {@code shape}
 * @param shape the input shape, batch first (for images: N, C, H, W)
 * @param labels the class index of each example, length N
 */
public record HostBatch(float[] features, Shape shape, int[] labels) {

    /** Checks that the arrays agree with the shape. */
    public HostBatch {
        if (shape.size() != features.length) {
            throw new IllegalArgumentException(
                    "features hold " + features.length + " values, shape " + shape + " needs " + shape.size());
        }
        if (shape.get(0) != labels.length) {
            throw new IllegalArgumentException(
                    "batch of " + shape.get(0) + " examples has " + labels.length + " labels");
        }
    }

    /** The number of examples in the batch. */
    public int size() {
        return labels.length;
    }

    /** The inputs as a float32 array owned by {@code manager}. */
    public NDArray features(NDManager manager) {
        return manager.create(FloatBuffer.wrap(features), shape);
    }

    /** The labels as an int64 vector owned by {@code manager}. */
    public NDArray labels(NDManager manager) {
        return manager.create(IntBuffer.wrap(labels), new Shape(labels.length)).toType(DataType.INT64, false);
    }
}
