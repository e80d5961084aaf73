package io.twa4j.core.torch;

import io.twa4j.core.io.OneLine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One storage of a {@code torch.save} archive: the raw bytes of entry {@code data/<key>}, {@code
 * numel} elements of {@code dtype} in the archive's byte order. Tensors are views of it.
 */
record Storage(String key, TorchDtype dtype, long numel, ByteBuffer bytes) {

    /** The largest tensor one Java buffer holds. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    /**
     * The tensor {@code torch._utils._rebuild_tensor_v2} would make: {@code shape} with {@code
     * stride} from element {@code offset} of this storage, copied to contiguous row-major
     * little-endian order (shared, not copied, where it already is).
     *
     * @throws Refusal if any element lies outside the storage, or a size or stride is negative
     */
    TorchTensor view(long offset, long[] shape, long[] stride) {
        long numel = checkedNumel(shape);
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
        if (numel > 0 ? last >= this.numel : offset > this.numel) {
            throw new Refusal("tensor of shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                    + " at offset " + offset + " reaches element " + last + " of storage " + OneLine.quote(key)
                    + ", which holds " + this.numel);
        }
        int width = dtype.bytes();
        if (bytes.order() == ByteOrder.LITTLE_ENDIAN && isContiguous(shape, stride)) {
            return new TorchTensor(dtype, shape, bytes.slice((int) (offset * width), (int) (numel * width)));
        }
        return new TorchTensor(dtype, shape, gather(offset, shape, stride, (int) numel));
    }

    /** The product of {@code shape}, refused if a size is negative or the tensor is too large. */
    private long checkedNumel(long[] shape) {
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
    private ByteBuffer gather(long offset, long[] shape, long[] stride, int numel) {
        int width = dtype.bytes();
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
