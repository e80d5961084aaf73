package io.twa4j.core.twa;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the rows of a {@link Basis} are held: float32, float16 (rounded to 11 significant bits), or
 * quantised to 8 or 4 bits with a scale and an offset per row and per {@value QuantisedRows#GROUP}
 * columns (min–max: {@code x ≈ offset + scale·q}, {@code q ∈ [0, 2^bits − 1]},
 * {@code scale = (max − min)/(2^bits − 1)}, so each entry is within {@code scale/2} of its value).
 * Int8 rows live on the JVM heap and are multiplied there, one byte read per entry
 * ({@link HostInt8Rows}); the engine multiplies the others, widening float16 and int4 rows to
 * float32 a column block at a time, never the whole basis at once.
 */
public enum RowEncoding {
    /** Four bytes per entry. */
    F32("f32", 4.0),
    /** Two bytes per entry. */
    F16("f16", 2.0),
    /** One byte per entry, plus 8 bytes (scale, offset) per row and group. */
    INT8("int8", 1.0),
    /** Half a byte per entry, plus 8 bytes (scale, offset) per row and group. */
    INT4("int4", 0.5);

    private final String label;
    private final double bytesPerEntry;

    RowEncoding(String label, double bytesPerEntry) {
        this.label = label;
        this.bytesPerEntry = bytesPerEntry;
    }

    /** The name used on the command line and in summaries: f32, f16, int8 or int4. */
    public String label() {
        return label;
    }

    /** Bytes per entry of a row, the groups' scales and offsets left out. */
    public double bytesPerEntry() {
        return bytesPerEntry;
    }

    /** Whether entries are integers with a scale and offset per group. */
    public boolean quantised() {
        return this == INT8 || this == INT4;
    }

    /** The encoding labelled {@code label} (f32, f16, int8, int4). */
    public static RowEncoding of(String label) {
        String wanted = label.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(encoding -> encoding.label.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown basis encoding " + label + "; valid: f32, f16, int8, int4"));
    }

    /**
     * The encoding storing entries as {@code type}: FLOAT32 or FLOAT16. BFLOAT16 is refused: DJL
     * 0.36's PyTorch engine aborts the JVM on any bfloat16 array.
     */
    public static RowEncoding of(DataType type) {
        if (type == DataType.FLOAT32) {
            return F32;
        }
        if (type == DataType.FLOAT16) {
            return F16;
        }
        throw new IllegalArgumentException("a basis is stored as float32 or float16, not " + type
                + (type == DataType.BFLOAT16 ? " (DJL 0.36's PyTorch engine aborts on bfloat16 arrays)" : ""));
    }
}
