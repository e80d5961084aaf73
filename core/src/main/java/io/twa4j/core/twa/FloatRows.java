package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Rows held in one {@code capacity × columns} array of float32 or float16. */
final class FloatRows implements BasisRows {

    private final NDArray rows;
    private final DataType type;

    FloatRows(NDManager manager, int capacity, long columns, DataType type) {
        this.rows = manager.zeros(new Shape(capacity, columns), type);
        this.type = type;
    }

    @Override
    public void set(int row, NDArray values) {
        rows.set(new NDIndex(row), values.toType(type, false));
    }

    @Override
    public NDArray block(int n, long from, long to, DataType wanted, NDManager scope) {
        NDArray view = rows.get("0:" + n + ", " + from + ":" + to);
        view.attach(scope);
        if (wanted == type) {
            return view;
        }
        NDArray copy = view.toType(wanted, false);
        copy.attach(scope);
        return copy;
    }

    @Override
    public long blockColumns(int n) {
        // float16 is widened a block at a time: about 8 MB of float32
        return type == DataType.FLOAT32 ? Long.MAX_VALUE : Math.max(1, (2L << 20) / n);
    }

    @Override
    public long bytes() {
        return rows.size() * type.getNumOfBytes();
    }
}
