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

    /** Rows {@code [from, to)} of the batch (a copy), e.g. one rank's share of a global batch. */
    public HostBatch rows(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") of a batch of " + size());
        }
        int width = features.length / size();
        long[] dims = shape.getShape();
        dims[0] = to - from;
        return new HostBatch(java.util.Arrays.copyOfRange(features, from * width, to * width), new Shape(dims),
                java.util.Arrays.copyOfRange(labels, from, to));
    }

    /**
     * The inputs as a float32 array owned by {@code manager}. Images (N, C, H, W) come in
     * channels-last memory: the shape is (N, C, H, W), the strides NHWC's. libtorch then runs the
     * whole network in that format (a convolution's output keeps its input's), whose BatchNorm,
     * max-pooling and oneDNN convolution kernels are vectorised over channels: the cnn's forward
     * and backward took 0.6–0.7× the time they take on contiguous NCHW arrays, and a Fashion-MNIST
     * epoch 0.71× ({@code twa4j bench --peer} compares with PyTorch). The
     * values, and every result, are the same function of the data; only the order of float
     * additions inside a convolution may differ.
     */
    public NDArray features(NDManager manager) {
        if (shape.dimension() != 4) {
            return manager.create(FloatBuffer.wrap(features), shape);
        }
        long n = shape.get(0);
        long c = shape.get(1);
        long h = shape.get(2);
        long w = shape.get(3);
        if (c == 1) {
            // one channel: NCHW and NHWC hold the same bytes, so the channels-last view costs nothing
            return manager.create(FloatBuffer.wrap(features), new Shape(n, h, w, 1)).transpose(0, 3, 1, 2);
        }
        // the NHWC view of the NCHW data, made contiguous by the flattening copy, seen as NCHW again
        NDArray nchw = manager.create(FloatBuffer.wrap(features), shape);
        return nchw.transpose(0, 2, 3, 1).reshape(-1).reshape(n, h, w, c).transpose(0, 3, 1, 2);
    }

    /** The labels as an int64 vector owned by {@code manager}. */
    public NDArray labels(NDManager manager) {
        return manager.create(IntBuffer.wrap(labels), new Shape(labels.length)).toType(DataType.INT64, false);
    }
}
