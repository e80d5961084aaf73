package io.twa4j.core.torch;

import ai.djl.ndarray.types.DataType;

/**
 * The element types of the tensors in a {@code torch.save} state_dict, by the storage class their
 * pickle names ({@code torch.FloatStorage}, ...). Each maps to the DJL type {@link
 * TorchTensor#toNDArray} creates: BFLOAT16 becomes FLOAT32 and INT16 becomes INT32 (both exact;
 * DJL 0.36's PyTorch engine aborts the JVM on BFLOAT16 and INT16 arrays).
 */
public enum TorchDtype {
    /** {@code torch.float32}, {@code FloatStorage}. */
    FLOAT32("FloatStorage", "float32", 4, DataType.FLOAT32),
    /** {@code torch.float64}, {@code DoubleStorage}. */
    FLOAT64("DoubleStorage", "float64", 8, DataType.FLOAT64),
    /** {@code torch.float16}, {@code HalfStorage}. */
    FLOAT16("HalfStorage", "float16", 2, DataType.FLOAT16),
    /** {@code torch.bfloat16}, {@code BFloat16Storage} (read as FLOAT32 arrays). */
    BFLOAT16("BFloat16Storage", "bfloat16", 2, DataType.FLOAT32),
    /** {@code torch.int64}, {@code LongStorage} (e.g. {@code num_batches_tracked}). */
    INT64("LongStorage", "int64", 8, DataType.INT64),
    /** {@code torch.int32}, {@code IntStorage}. */
    INT32("IntStorage", "int32", 4, DataType.INT32),
    /** {@code torch.int16}, {@code ShortStorage} (read as INT32 arrays). */
    INT16("ShortStorage", "int16", 2, DataType.INT32),
    /** {@code torch.int8}, {@code CharStorage}. */
    INT8("CharStorage", "int8", 1, DataType.INT8),
    /** {@code torch.uint8}, {@code ByteStorage}. */
    UINT8("ByteStorage", "uint8", 1, DataType.UINT8),
    /** {@code torch.bool}, {@code BoolStorage} (one byte, 0 or 1). */
    BOOL("BoolStorage", "bool", 1, DataType.BOOLEAN);

    private final String storage;
    private final String torchName;
    private final int bytes;
    private final DataType dataType;

    TorchDtype(String storage, String torchName, int bytes, DataType dataType) {
        this.storage = storage;
        this.torchName = torchName;
        this.bytes = bytes;
        this.dataType = dataType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The name PyTorch prints, e.g. {@code torch.float16}. */
    public String torchName() {
        return "torch." + torchName;
    }

    /** The storage class of this dtype in a pickle, e.g. {@code torch.HalfStorage}. */
    public String storageClass() {
        return "torch." + storage;
    }

    /** Whether the elements are floating-point numbers. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** The DJL type of {@link TorchTensor#toNDArray} (FLOAT32 for BFLOAT16, INT32 for INT16). */
    public DataType dataType() {
        return dataType;
    }

    /** The dtype stored by the class {@code torch.<name>}, or {@code null} if none is. */
    static TorchDtype ofStorage(String name) {
        for (TorchDtype d : values()) {
            if (d.storage.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
