package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rows quantised to 8 or 4 bits, min–max per row and per {@value #GROUP} columns: group k of row
 * i holds {@code q = round((x − offset)/scale)} with {@code offset = min x}, {@code scale = (max x −
 * min x)/(2^bits − 1)} (1 for a constant group), and decodes to {@code offset + scale·q}, within
 * {@code scale/2} of x. Eight-bit codes are one byte each; four-bit codes pack a group's first
 * half in the low nibbles of its bytes and its second half in the high ones, so a group decodes
 * with whole-array operations. The columns are padded with zeros to whole groups.
 */
final class QuantisedRows implements BasisRows {

    /** Columns per quantisation group. */
    static final int GROUP = 4096;

    private final int bits;
    private final long columns;
    private final long groups;
    private final NDArray codes;
    private final NDArray scales;
    private final NDArray offsets;

    QuantisedRows(NDManager manager, int capacity, long columns, int bits) {
        this.bits = bits;
        this.columns = columns;
        this.groups = (columns + GROUP - 1) / GROUP;
        this.codes = manager.zeros(new Shape(capacity, groups * bytesPerGroup()), DataType.UINT8);
        this.scales = manager.zeros(new Shape(capacity, groups), DataType.FLOAT32);
        this.offsets = manager.zeros(new Shape(capacity, groups), DataType.FLOAT32);
    }

    private int bytesPerGroup() {
        return bits == 8 ? GROUP : GROUP / 2;
    }

    private int levels() {
        return (1 << bits) - 1;
    }

    @Override
    public void set(int row, NDArray values) {
        try (NDManager scope = values.getManager().newSubManager()) {
            NDArray x = padded(values.toType(DataType.FLOAT32, false), scope).reshape(groups, GROUP);
            NDArray min = x.min(new int[] {1});
            NDArray range = x.max(new int[] {1}).sub(min);
            // a constant group gets scale 1: its codes are all 0
            NDArray scale = range.div(levels()).add(range.eq(0).toType(DataType.FLOAT32, false));
            NDArray q = x.sub(min.reshape(groups, 1)).div(scale.reshape(groups, 1)).round().clip(0, levels());
            if (bits == 4) {
                NDArray halves = q.reshape(groups, 2, GROUP / 2);
                q = halves.get(":, 0, :").add(halves.get(":, 1, :").mul(16));
            }
            for (NDArray made : new NDArray[] {x, min, range, scale, q}) {
                made.attach(scope);
            }
            codes.set(new NDIndex(row), q.toType(DataType.UINT8, false).reshape(-1));
            scales.set(new NDIndex(row), scale);
            offsets.set(new NDIndex(row), min);
        }
    }

    /** {@code values} followed by zeros up to whole groups. */
    private NDArray padded(NDArray values, NDManager scope) {
        values.attach(scope);
        long missing = groups * GROUP - columns;
        if (missing == 0) {
            return values;
        }
        NDArray zeros = scope.zeros(new Shape(missing), DataType.FLOAT32);
        NDArray joined = NDArrays.concat(new NDList(values, zeros));
        joined.attach(scope);
        return joined;
    }

    @Override
    public NDArray block(int n, long from, long to, DataType type, NDManager scope) {
        if (from < 0 || to > columns || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of rows of " + columns);
        }
        long first = from / GROUP;
        long end = (to + GROUP - 1) / GROUP;
        long count = end - first;
        NDArray decoded;
        try (NDManager inner = scope.newSubManager()) {
            NDArray q = codes.get("0:" + n + ", " + first * bytesPerGroup() + ":" + end * bytesPerGroup());
            q.attach(inner);
            NDArray wide = q.toType(DataType.FLOAT32, false).reshape(n, count, bytesPerGroup());
            wide.attach(inner);
            if (bits == 4) {
                NDArray high = wide.div(16).floor();
                NDArray low = wide.sub(high.mul(16));
                wide = NDArrays.concat(new NDList(low, high), 2);
                for (NDArray made : new NDArray[] {high, low, wide}) {
                    made.attach(inner);
                }
            }
            String rows = "0:" + n + ", " + first + ":" + end;
            NDArray scale = scales.get(rows).reshape(n, count, 1);
            NDArray offset = offsets.get(rows).reshape(n, count, 1);
            scale.attach(inner);
            offset.attach(inner);
            NDArray values = wide.mul(scale).addi(offset).reshape(n, count * GROUP);
            long skip = from - first * GROUP;
            NDArray wanted = values.get(":, " + skip + ":" + (skip + to - from));
            decoded = wanted.toType(type, true);
            decoded.attach(scope);
            values.attach(inner);
            wanted.attach(inner);
        }
        return decoded;
    }

    @Override
    public long blockColumns(int n) {
        // about 8 MB of float32 per decoded block, in whole groups
        return Math.max(1, (2L << 20) / ((long) n * GROUP)) * GROUP;
    }

    @Override
    public long bytes() {
        return codes.size() + 4 * (scales.size() + offsets.size());
    }
}
