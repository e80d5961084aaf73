package io.twa4j.core.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a {@code torch.save} file: its dtype, its shape and its values in contiguous
 * row-major order, little-endian (a view or a non-contiguous tensor is copied into that order when
 * the file is read; a contiguous one shares the bytes read from its storage). Immutable; a 0-dim
 * tensor has shape {@code []} and one element, an empty one has a 0 in its shape and no element.
 */
public final class TorchTensor {

    private final TorchDtype dtype;
    private final long[] shape;
    private final ByteBuffer data;

    /**
     * A tensor of {@code dtype} and {@code shape} whose {@code numel × dtype.bytes()} values lie in
     * {@code data} from its position to its limit, row-major and little-endian.
     *
     * @throws IllegalArgumentException if the sizes do not match
     */
    TorchTensor(TorchDtype dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (numel(this.shape) * dtype.bytes() != this.data.remaining()) {
            throw new IllegalArgumentException(dtype + " " + Arrays.toString(shape) + " needs "
                    + numel(this.shape) * dtype.bytes() + " bytes, got " + this.data.remaining());
        }
    }

    /** The element type. */
    public TorchDtype dtype() {
        return dtype;
    }

    /** The sizes of the dimensions (a copy; empty for a 0-dim tensor). */
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as a DJL {@link Shape}. */
    public Shape djlShape() {
        return new Shape(shape);
    }

    /** The number of elements: the product of the shape (1 for a 0-dim tensor). */
    public long numel() {
        return numel(shape);
    }

    /** The values, row-major, little-endian: a read-only buffer of {@code numel × dtype.bytes()} bytes. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as float32 (exact for FLOAT32, FLOAT16, BFLOAT16, BOOL and small integers; FLOAT64 rounded). */
    public float[] toFloatArray() {
        float[] out = new float[(int) numel()];
        ByteBuffer b = data();
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT16 -> fill(out, i -> Halves.halfToFloat(b.getShort(2 * i)));
            case BFLOAT16 -> fill(out, i -> Halves.bfloat16ToFloat(b.getShort(2 * i)));
            default -> {
                double[] d = toDoubleArray();
                fill(out, i -> (float) d[i]);
            }
        }
        return out;
    }

    /** The values as float64 (exact for every dtype but INT64 beyond 2^53). */
    public double[] toDoubleArray() {
        double[] out = new double[(int) numel()];
        ByteBuffer b = data();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case FLOAT32 -> b.getFloat(4 * i);
                case FLOAT64 -> b.getDouble(8 * i);
                case FLOAT16 -> Halves.halfToFloat(b.getShort(2 * i));
                case BFLOAT16 -> Halves.bfloat16ToFloat(b.getShort(2 * i));
                case INT64 -> b.getLong(8 * i);
                default -> integerAt(b, i);
            };
        }
        return out;
    }

    /**
     * The values of an integer or BOOL tensor as longs (exact; BOOL as 0 and 1, UINT8 as 0 to 255).
     *
     * @throws IllegalStateException for a floating-point tensor
     */
    public long[] toLongArray() {
        if (dtype.isFloating()) {
            throw new IllegalStateException("a " + dtype.torchName() + " tensor has no exact long values");
        }
        long[] out = new long[(int) numel()];
        ByteBuffer b = data();
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype == TorchDtype.INT64 ? b.getLong(8 * i) : integerAt(b, i);
        }
        return out;
    }

    /**
     * A new array of this tensor in {@code manager}, of type {@link TorchDtype#dataType()}: the
     * stored type, except BFLOAT16 which becomes FLOAT32 and INT16 which becomes INT32 (exactly).
     */
    public NDArray toNDArray(NDManager manager) {
        DataType type = dtype.dataType();
        if (numel() == 0) {
            return manager.create(djlShape(), type);
        }
        if (dtype == TorchDtype.BFLOAT16) {
            return toFloat32(manager);
        }
        if (dtype == TorchDtype.INT16) {
            return manager.create(Arrays.stream(toLongArray()).mapToInt(v -> (int) v).toArray(), djlShape());
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
        ByteBuffer src = data();
        switch (dtype.bytes()) {
            case 1 -> direct.put(src);
            case 2 -> direct.asShortBuffer().put(src.asShortBuffer());
            case 4 -> direct.asIntBuffer().put(src.asIntBuffer());
            default -> direct.asLongBuffer().put(src.asLongBuffer());
        }
        direct.rewind();
        return manager.create(direct, djlShape(), type);
    }

    /** A new FLOAT32 array of this tensor's values (see {@link #toFloatArray()}) in {@code manager}. */
    public NDArray toFloat32(NDManager manager) {
        if (numel() == 0) {
            return manager.create(djlShape(), DataType.FLOAT32);
        }
        return manager.create(toFloatArray(), djlShape());
    }

    @Override
    public String toString() {
        return dtype.torchName() + Arrays.toString(shape);
    }

    /** The product of {@code shape}; callers have checked it fits a long. */
    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    private long integerAt(ByteBuffer b, int i) {
        return switch (dtype) {
            case INT32 -> b.getInt(4 * i);
            case INT16 -> b.getShort(2 * i);
            case INT8 -> b.get(i);
            case UINT8, BOOL -> b.get(i) & 0xFF;
            default -> b.getLong(8 * i);
        };
    }

    private interface FloatAt {
        float at(int i);
    }

    private static void fill(float[] out, FloatAt f) {
        for (int i = 0; i < out.length; i++) {
            out[i] = f.at(i);
        }
    }
}
