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

    /** The rows held as they are stored, float32 rows for {@link RowEncoding#F32}. */
    static BasisRows of(RowEncoding encoding, NDManager manager, int capacity, long columns) {
        return encoding.quantised() ? new QuantisedRows(manager, capacity, columns, encoding == RowEncoding.INT4 ? 4 : 8)
                : new FloatRows(manager, capacity, columns, encoding == RowEncoding.F16 ? DataType.FLOAT16 : DataType.FLOAT32);
    }
}
