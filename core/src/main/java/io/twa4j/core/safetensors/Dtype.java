package io.twa4j.core.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types of the safetensors format, by their names in the header. */
public enum Dtype {
    /** Boolean, one byte (described, not read). */
    BOOL(1, null),
    /** Unsigned 8-bit integer (described, not read). */
    U8(1, null),
    /** Signed 8-bit integer (described, not read). */
    I8(1, null),
    /** 8-bit float, 5 exponent bits (described, not read). */
    F8_E5M2(1, null),
    /** 8-bit float, 4 exponent bits (described, not read). */
    F8_E4M3(1, null),
    /** Signed 16-bit integer (described, not read). */
    I16(2, null),
    /** Unsigned 16-bit integer (described, not read). */
    U16(2, null),
    /** IEEE half precision. */
    F16(2, DataType.FLOAT16),
    /** bfloat16, the upper half of a float32 (converted in Java). */
    BF16(2, DataType.BFLOAT16),
    /** Signed 32-bit integer. */
    I32(4, DataType.INT32),
    /** Unsigned 32-bit integer (described, not read). */
    U32(4, null),
    /** IEEE single precision. */
    F32(4, DataType.FLOAT32),
    /** IEEE double precision. */
    F64(8, DataType.FLOAT64),
    /** Signed 64-bit integer. */
    I64(8, DataType.INT64),
    /** Unsigned 64-bit integer (described, not read). */
    U64(8, null);

    private final int bytes;
    private final DataType dataType;

    Dtype(int bytes, DataType dataType) {
        this.bytes = bytes;
        this.dataType = dataType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Whether twa4j reads and writes this dtype. */
    public boolean isSupported() {
        return dataType != null;
    }

    /** The DJL data type, for a {@linkplain #isSupported() supported} dtype. */
    public DataType dataType() {
        if (dataType == null) {
            throw new UnsupportedOperationException("twa4j does not read or write " + this);
        }
        return dataType;
    }

    /** The safetensors dtype that stores {@code type}, or {@code null} if twa4j does not write it. */
    public static Dtype of(DataType type) {
        for (Dtype d : values()) {
            if (d.dataType == type) {
                return d;
            }
        }
        return null;
    }

    /** The dtype named {@code name} in a header, or {@code null} if there is none. */
    static Dtype parse(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The names of the dtypes twa4j reads and writes, comma-separated. */
    static String supportedNames() {
        return Arrays.stream(values())
                .filter(Dtype::isSupported)
                .map(Dtype::name)
                .collect(Collectors.joining(", "));
    }
}
