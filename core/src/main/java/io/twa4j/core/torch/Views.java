package io.twa4j.core.torch;

import io.twa4j.core.io.OneLine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Tensors as strided views of a {@link Storage}, checked against it and copied to row-major order. */
final class Views {

    /** The largest tensor one Java buffer holds. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private Views() {}

    /**
     * The tensor {@code torch._utils._rebuild_tensor_v2} would make: {@code shape} with {@code
     * stride} from element {@code offset} of {@code storage}, copied to contiguous row-major
     * little-endian order (shared, not copied, where it already is).
     *
     * @throws Refusal if any element lies outside the storage, or a size or stride is negative
     */
    static TorchTensor view(Storage storage, long offset, long[] shape, long[] stride) {
        TorchDtype dtype = storage.dtype();
        ByteBuffer bytes = storage.bytes();
        long numel = checkedNumel(shape, dtype);
        if (offset < 0 || stride.length != shape.length) {
            throw new Refusal("tensor of shape " + Arrays.toString(shape) + " has storage offset " + offset
                    + " and " + stride.length + " strides");
        }
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (stride[d] < 0) {
                throw new Refusal("negative stride " + stride[d] + " in " + Arrays.toString(stride));
            }
            if (numel > 0) {
                last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
            }
        }
        if (numel > 0 ? last >= storage.numel() : offset > storage.numel()) {
            throw new Refusal("tensor of shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                    + " at offset " + offset + " reaches element " + last + " of storage "
                    + OneLine.quote(storage.key()) + ", which holds " + storage.numel());
        }
        int width = dtype.bytes();
        if (bytes.order() == ByteOrder.LITTLE_ENDIAN && isContiguous(shape, stride)) {
            return new TorchTensor(dtype, shape, bytes.slice((int) (offset * width), (int) (numel * width)));
        }
        return new TorchTensor(dtype, shape, gather(bytes, dtype.bytes(), offset, shape, stride, (int) numel));
    }

    /** The product of {@code shape}, refused if a size is negative or the tensor is too large. */
    private static long checkedNumel(long[] shape, TorchDtype dtype) {
        long numel = 1;
        try {
            for (long s : shape) {
                if (s < 0) {
                    throw new Refusal("negative size in shape " + Arrays.toString(shape));
                }
                numel = Math.multiplyExact(numel, s);
            }
            if (Math.multiplyExact(numel, dtype.bytes()) <= MAX_TENSOR_BYTES) {
                return numel;
            }
        } catch (ArithmeticException e) {
            // too large, as below
        }
        throw new Refusal("tensor of shape " + Arrays.toString(shape) + " is larger than the " + MAX_TENSOR_BYTES
                + " bytes one array holds");
    }

    private static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** Copies the elements in row-major order (an odometer over the indices), little-endian. */
    private static ByteBuffer gather(ByteBuffer bytes, int width, long offset, long[] shape, long[] stride,
            int numel) {
        ByteBuffer out = ByteBuffer.allocate(numel * width).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[shape.length];
        long at = offset;
        for (int n = 0; n < numel; n++) {
            int from = (int) (at * width);
            switch (width) {
                case 1 -> out.put(bytes.get(from));
                case 2 -> out.putShort(bytes.getShort(from));
                case 4 -> out.putInt(bytes.getInt(from));
                default -> out.putLong(bytes.getLong(from));
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    at += stride[d];
                    break;
                }
                at -= (shape[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return out.flip();
    }
}
