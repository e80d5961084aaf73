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
 * {@code scale/2} of x. The columns are padded with zeros to whole groups.
 *
 * <p>Codes are held group-major ({@code groups × capacity × bytes per group}), so the products
 * never decode a row: per group k, with Q_k the codes as float32,
 *
 * <pre>
 *   (P g)_j   = Σ_k scale_{k,j} (Q_k g_k)_j + offset_{k,j} Σ_c g_{k,c}
 *   (Pᵀα)_k   = (α ⊙ scale_k)ᵀ Q_k + α · offset_k
 * </pre>
 *
 * <p>one batched matrix product over a few groups at a time (about 8 MB of float32 codes). Four-bit
 * codes pack a group's first half in the low nibbles of its bytes and its second half in the high
 * ones, so each half is a whole-array operation.
 *
 * <p>A basis holds int4 rows here; its int8 rows are {@link HostInt8Rows}, which quantise with
 * {@link #quantise} and are tested against this class's 8-bit form (the engine's products).
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
        this.codes = manager.zeros(new Shape(groups, capacity, bytesPerGroup()), DataType.UINT8);
        this.scales = manager.zeros(new Shape(groups, capacity), DataType.FLOAT32);
        this.offsets = manager.zeros(new Shape(groups, capacity), DataType.FLOAT32);
    }

    private int bytesPerGroup() {
        return bits == 8 ? GROUP : GROUP / 2;
    }

    @Override
    public void set(int row, NDArray values) {
        try (NDManager scope = values.getManager().newSubManager()) {
            Quantised row8 = quantise(values, columns, bits, scope);
            NDArray q = row8.codes();
            if (bits == 4) {
                q = q.get(":, 0:" + GROUP / 2).add(q.get(":, " + GROUP / 2 + ":").mul(16));
            }
            codes.set(new NDIndex(":, " + row + ", :"), q.toType(DataType.UINT8, false));
            scales.set(new NDIndex(":, " + row), row8.scale());
            offsets.set(new NDIndex(":, " + row), row8.min());
        }
    }

    /**
     * A row quantised by groups of {@value #GROUP} columns: {@code codes} (groups × GROUP, float32
     * integers in [0, 2^bits − 1]), and per group {@code scale} and {@code min}, so that entry c of
     * group k is within {@code scale_k/2} of {@code min_k + scale_k · codes[k][c]}.
     */
    record Quantised(NDArray codes, NDArray scale, NDArray min) {}

    /** {@code values} (length {@code columns}, any float type) quantised to {@code bits} bits, in {@code scope}. */
    static Quantised quantise(NDArray values, long columns, int bits, NDManager scope) {
        long groups = (columns + GROUP - 1) / GROUP;
        int levels = (1 << bits) - 1;
        NDArray wide = values.toType(DataType.FLOAT32, true);
        wide.attach(scope);
        NDArray x = padded(wide, 0, columns, scope).reshape(groups, GROUP);
        x.attach(scope);
        NDArray min = x.min(new int[] {1});
        NDArray range = x.max(new int[] {1}).sub(min);
        // a constant group gets scale 1: its codes are all 0
        NDArray scale = range.div(levels).add(range.eq(0).toType(DataType.FLOAT32, false));
        NDArray q = x.sub(min.reshape(groups, 1)).div(scale.reshape(groups, 1)).round().clip(0, levels);
        for (NDArray made : new NDArray[] {min, range, scale, q}) {
            made.attach(scope);
        }
        return new Quantised(q, scale, min);
    }

    /**
     * {@code values} (columns [from, to)) with zeros before and after, to the whole groups that hold
     * them: {@code values} itself (left where it is) when none are needed, else a new array in {@code scope}.
     */
    private static NDArray padded(NDArray values, long from, long to, NDManager scope) {
        long lead = from % GROUP;
        long tail = (GROUP - to % GROUP) % GROUP;
        if (lead == 0 && tail == 0) {
            return values;
        }
        NDList parts = new NDList();
        if (lead > 0) {
            parts.add(scope.zeros(new Shape(lead), values.getDataType()));
        }
        parts.add(values);
        if (tail > 0) {
            parts.add(scope.zeros(new Shape(tail), values.getDataType()));
        }
        NDArray joined = NDArrays.concat(parts);
        joined.attach(scope);
        return joined;
    }

    /**
     * The codes of rows [0, n) in groups [first, end) as float32, {@code (groups, n, GROUP)}: one
     * array for 8 bits, the low and high halves for 4 bits ({@code (groups, n, GROUP/2)} each).
     */
    private NDList codes(int n, long first, long end, NDManager scope) {
        NDArray q = codes.get(first + ":" + end + ", 0:" + n + ", :");
        q.attach(scope);
        NDArray wide = q.toType(DataType.FLOAT32, false);
        wide.attach(scope);
        if (bits == 8) {
            return new NDList(wide);
        }
        NDArray high = wide.div(16).floor();
        NDArray low = wide.sub(high.mul(16));
        high.attach(scope);
        low.attach(scope);
        return new NDList(low, high);
    }

    /** Rows [0, n) of scales or offsets for groups [first, end), {@code (groups, n)}. */
    private static NDArray of(NDArray perGroup, int n, long first, long end, NDManager scope) {
        NDArray part = perGroup.get(first + ":" + end + ", 0:" + n);
        part.attach(scope);
        return part;
    }

    /** Groups per product: about 8 MB of float32 codes. */
    private long chunk(int n) {
        return Math.max(1, (2L << 20) / ((long) n * GROUP));
    }

    @Override
    public NDArray block(int n, long from, long to, DataType type, NDManager scope) {
        check(from, to);
        long first = from / GROUP;
        long end = (to + GROUP - 1) / GROUP;
        NDArray decoded;
        try (NDManager inner = scope.newSubManager()) {
            NDList parts = codes(n, first, end, inner);
            NDArray q = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 2);
            long count = end - first;
            NDArray values = q.mul(of(scales, n, first, end, inner).reshape(count, n, 1))
                    .addi(of(offsets, n, first, end, inner).reshape(count, n, 1))
                    .transpose(1, 0, 2).reshape(n, count * GROUP);
            values.attach(inner);
            q.attach(inner);
            long skip = from - first * GROUP;
            NDArray wanted = values.get(":, " + skip + ":" + (skip + to - from));
            wanted.attach(inner);
            decoded = wanted.toType(type, true);
            decoded.attach(scope);
        }
        return decoded;
    }

    private void check(long from, long to) {
        BasisRows.checkColumns(from, to, columns);
    }

    @Override
    public NDArray project(int n, long from, long to, NDArray g, NDManager scope) {
        check(from, to);
        long first = from / GROUP;
        long end = (to + GROUP - 1) / GROUP;
        NDArray sum = scope.zeros(new Shape(n), DataType.FLOAT32);
        try (NDManager inner = scope.newSubManager()) {
            NDArray whole = padded(g, from, to, inner).reshape(end - first, GROUP);
            whole.attach(inner);
            for (long a = first; a < end; a += chunk(n)) {
                long b = Math.min(end, a + chunk(n));
                try (NDManager step = inner.newSubManager()) {
                    NDArray part = whole.get((a - first) + ":" + (b - first));
                    part.attach(step);
                    sum.addi(projectGroups(n, a, b, part, step));
                }
            }
        }
        return sum;
    }

    /** {@code Σ_k scale_k ⊙ (Q_k g_k) + offset_k Σ g_k} over groups [a, b), {@code g} of shape (b − a, GROUP). */
    private NDArray projectGroups(int n, long a, long b, NDArray g, NDManager scope) {
        long count = b - a;
        NDList parts = codes(n, a, b, scope);
        NDArray products;
        if (parts.size() == 1) {
            products = parts.get(0).matMul(g.reshape(count, GROUP, 1));
        } else {
            NDArray low = g.get(":, 0:" + GROUP / 2).reshape(count, GROUP / 2, 1);
            NDArray high = g.get(":, " + GROUP / 2 + ":").reshape(count, GROUP / 2, 1);
            products = parts.get(0).matMul(low).addi(parts.get(1).matMul(high));
        }
        NDArray scaled = of(scales, n, a, b, scope).mul(products.reshape(count, n)).sum(new int[] {0});
        NDArray shifted = of(offsets, n, a, b, scope).mul(g.sum(new int[] {1}).reshape(count, 1)).sum(new int[] {0});
        NDArray result = scaled.addi(shifted);
        result.attach(scope);
        products.attach(scope);
        return result;
    }

    @Override
    public NDArray combine(NDArray alpha, int n, long from, long to, NDManager scope) {
        check(from, to);
        long first = from / GROUP;
        long end = (to + GROUP - 1) / GROUP;
        NDList pieces = new NDList();
        for (long a = first; a < end; a += chunk(n)) {
            long b = Math.min(end, a + chunk(n));
            try (NDManager step = scope.newSubManager()) {
                NDArray piece = combineGroups(alpha, n, a, b, step);
                piece.attach(scope);
                pieces.add(piece);
            }
        }
        NDArray point = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces);
        point.attach(scope);
        long skip = from - first * GROUP;
        NDArray wanted = point.get(skip + ":" + (skip + to - from));
        wanted.attach(scope);
        return wanted;
    }

    /** {@code (α ⊙ scale_k)ᵀ Q_k + α · offset_k} for groups [a, b), flat. */
    private NDArray combineGroups(NDArray alpha, int n, long a, long b, NDManager scope) {
        long count = b - a;
        NDArray row = alpha.reshape(1, n);
        row.attach(scope);
        NDArray weights = of(scales, n, a, b, scope).mul(row).reshape(count, 1, n);
        NDArray shift = of(offsets, n, a, b, scope).mul(row).sum(new int[] {1}).reshape(count, 1, 1);
        weights.attach(scope);
        shift.attach(scope);
        NDList parts = codes(n, a, b, scope);
        NDArray combined = parts.size() == 1 ? weights.matMul(parts.get(0))
                : NDArrays.concat(new NDList(weights.matMul(parts.get(0)), weights.matMul(parts.get(1))), 2);
        NDArray result = combined.addi(shift).reshape(count * GROUP);
        result.attach(scope);
        return result;
    }

    @Override
    public long bytes() {
        return codes.size() + 4 * (scales.size() + offsets.size());
    }
}
