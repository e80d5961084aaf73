package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rows held in one {@code capacity × columns} array of float32 or float16. Float32 products
 * multiply a view of the rows; float16 rows are widened to float32 a column block at a time (the
 * engine's float16 products are ~10× slower than float32 on CPU, and would round the result).
 */
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

    /** Columns per widened block: about 8 MB of float32 (a float32 block is a view: all columns at once). */
    private long width(int n) {
        return type == DataType.FLOAT32 ? Long.MAX_VALUE : Math.max(1, (2L << 20) / n);
    }

    @Override
    public NDArray project(int n, long from, long to, NDArray g, NDManager scope) {
        long width = width(n);
        NDArray sum = null;
        for (long start = from; start < to; start = end(start, to, width)) {
            long end = end(start, to, width);
            NDArray part = g;
            if (start > from || end < to) {
                part = g.get((start - from) + ":" + (end - from));
                part.attach(scope);
            }
            NDArray product = block(n, start, end, DataType.FLOAT32, scope).matMul(part);
            product.attach(scope);
            sum = sum == null ? product : sum.addi(product);
        }
        return sum;
    }

    @Override
    public NDArray combine(NDArray alpha, int n, long from, long to, NDManager scope) {
        long width = width(n);
        NDList pieces = new NDList();
        for (long start = from; start < to; start = end(start, to, width)) {
            NDArray piece = alpha.matMul(block(n, start, end(start, to, width), DataType.FLOAT32, scope));
            piece.attach(scope);
            pieces.add(piece);
        }
        if (pieces.size() == 1) {
            return pieces.get(0);
        }
        NDArray point = NDArrays.concat(pieces);
        point.attach(scope);
        pieces.forEach(NDArray::close);
        return point;
    }

    /** The end of the block of at most {@code width} columns that starts at {@code start}, within {@code to}. */
    private static long end(long start, long to, long width) {
        return to - start > width ? start + width : to;
    }

    @Override
    public long bytes() {
        return rows.size() * type.getNumOfBytes();
    }
}
