package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** The storage of a {@link Basis}'s rows (this rank's columns of each), in one {@link RowEncoding}. */
interface BasisRows {

    /** Stores {@code values} (this rank's columns, any float type) as row {@code row}. */
    void set(int row, NDArray values);

    /**
     * Rows {@code [0, n)}, columns {@code [from, to)} as {@code type} (FLOAT32 or FLOAT64), owned by
     * {@code scope}: a view where the stored type is already {@code type}, else a decoded copy of
     * just those columns.
     */
    NDArray block(int n, long from, long to, DataType type, NDManager scope);

    /** {@code P[0:n, from:to] g} for {@code g} of length {@code to − from}: n numbers, float32, in {@code scope}. */
    NDArray project(int n, long from, long to, NDArray g, NDManager scope);

    /** {@code αᵀ P[0:n, from:to]} for float32 {@code alpha} of length n: {@code to − from} numbers, float32, in {@code scope}. */
    NDArray combine(NDArray alpha, int n, long from, long to, NDManager scope);

    /** Bytes held. */
    long bytes();

    /** Refuses a column range that is empty or not within {@code [0, columns)}. */
    static void checkColumns(long from, long to, long columns) {
        if (from < 0 || to > columns || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of rows of " + columns);
        }
    }

    /**
     * The rows held as they are stored: float32 or float16 rows and int4 codes by the engine, int8
     * codes on the heap with {@link Int8Kernel#fastest()}.
     */
    static BasisRows of(RowEncoding encoding, NDManager manager, int capacity, long columns) {
        return switch (encoding) {
            case F32 -> new FloatRows(manager, capacity, columns, DataType.FLOAT32);
            case F16 -> new FloatRows(manager, capacity, columns, DataType.FLOAT16);
            case INT8 -> new HostInt8Rows(capacity, columns, Int8Kernel.fastest());
            case INT4 -> new QuantisedRows(manager, capacity, columns, 4);
        };
    }
}
