package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.params.FlatFloats;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Rows quantised to 8 bits, held on the JVM heap and multiplied there by an {@link Int8Kernel}: the
 * same min–max code as {@link QuantisedRows} ({@link QuantisedRows#quantise}, per row and per
 * {@value QuantisedRows#GROUP} columns), stored as the signed byte {@code s = q − 128}, so that
 * with {@code centre = offset + 128·scale} an entry decodes to {@code centre + scale·s} and
 *
 * <pre>
 *   (P g)_j  = Σ_k scale_{k,j} Σ_c s_{k,j,c} g_{k,c} + centre_{k,j} Σ_c g_{k,c}
 *   (Pᵀα)_c  = Σ_j (α_j scale_{k,j}) s_{k,j,c} + Σ_j α_j centre_{k,j}       (column c in group k)
 * </pre>
 *
 * <p>Each product reads one byte per entry of P and writes nothing of P's size, where the
 * engine (which multiplies only float32) has to widen the codes to four bytes first. Within a group
 * the rows lie in blocks of {@value Int8Kernel#BLOCK}, interleaved as {@link Int8Kernel} reads them
 * (a block is one stream of bytes). The groups are
 * split into tasks of {@value #GROUPS_PER_TASK} on the common fork-join pool; partial sums are
 * added in task order, so the result does not depend on the number of threads.
 */
final class HostInt8Rows implements BasisRows {

    private static final int GROUP = QuantisedRows.GROUP;
    /** Groups per parallel task (64 Ki columns: cnn's 103 groups make 7 tasks, which two threads share evenly). */
    static final int GROUPS_PER_TASK = 16;
    /** Groups per array of codes (256 Ki columns). */
    static final int GROUPS_PER_ARRAY = 64;

    private final Int8Kernel kernel;
    private final long columns;
    private final int capacity;
    /**
     * One array per {@value #GROUPS_PER_ARRAY} groups (a few MB: G1 places it in old
     * regions directly and never copies it); group k's rows in {@code codes[k / GROUPS_PER_ARRAY]},
     * by blocks from {@link #blockAt(int, int)}: row j, column {@code k·GROUP + c} at {@link #entry}.
     */
    private final byte[][] codes;
    private final float[][] scales;
    private final float[][] centres;

    HostInt8Rows(int capacity, long columns, Int8Kernel kernel) {
        this.kernel = kernel;
        this.columns = columns;
        this.capacity = capacity;
        int groups = Math.toIntExact((columns + GROUP - 1) / GROUP);
        this.codes = new byte[(groups + GROUPS_PER_ARRAY - 1) / GROUPS_PER_ARRAY][];
        for (int t = 0; t < codes.length; t++) {
            int held = Math.min(GROUPS_PER_ARRAY, groups - t * GROUPS_PER_ARRAY);
            codes[t] = new byte[Math.multiplyExact(Math.multiplyExact(held, capacity), GROUP)];
        }
        this.scales = new float[groups][capacity];
        this.centres = new float[groups][capacity];
    }

    /** Where block b of group k (rows {@code 4b …}) starts in {@code codes[k / GROUPS_PER_ARRAY]}. */
    private int blockAt(int k, int b) {
        return ((k % GROUPS_PER_ARRAY) * capacity + Int8Kernel.BLOCK * b) * GROUP;
    }

    /** The rows block b holds: {@value Int8Kernel#BLOCK}, fewer in the last block. */
    private int width(int b) {
        return Math.min(Int8Kernel.BLOCK, capacity - Int8Kernel.BLOCK * b);
    }

    /** The blocks that hold rows 0 … n−1. */
    private static int blocks(int n) {
        return (n + Int8Kernel.BLOCK - 1) / Int8Kernel.BLOCK;
    }

    /** Where row j, column {@code k·GROUP + c} lies in {@code codes[k / GROUPS_PER_ARRAY]}. */
    private int entry(int k, int j, int c) {
        int b = j / Int8Kernel.BLOCK;
        return Int8Kernel.position(blockAt(k, b), width(b), j % Int8Kernel.BLOCK, c);
    }

    private byte[] codesOf(int k) {
        return codes[k / GROUPS_PER_ARRAY];
    }

    /** Which loops the products use: {@code vector} or {@code scalar}. */
    String kernel() {
        return kernel.name();
    }

    @Override
    public void set(int row, NDArray values) {
        try (NDManager scope = values.getManager().newSubManager()) {
            QuantisedRows.Quantised row8 = QuantisedRows.quantise(values, columns, 8, scope);
            NDArray signed = row8.codes().sub(128).toType(DataType.INT8, false);
            signed.attach(scope);
            ByteBuffer all = signed.toByteBuffer(true); // the engine's memory: no row-sized heap garbage
            float[] scale = row8.scale().toFloatArray();
            float[] min = row8.min().toFloatArray();
            byte[] group = new byte[GROUP];
            for (int k = 0; k < scales.length; k++) {
                all.get(k * GROUP, group, 0, GROUP);
                for (int c = 0; c < GROUP; c += Int8Kernel.CHUNK) {
                    System.arraycopy(group, c, codesOf(k), entry(k, row, c), Int8Kernel.CHUNK);
                }
                scales[k][row] = scale[k];
                centres[k][row] = min[k] + 128f * scale[k];
            }
        }
    }

    @Override
    public NDArray block(int n, long from, long to, DataType type, NDManager scope) {
        check(from, to);
        int width = Math.toIntExact(to - from);
        NDArray decoded = scope.zeros(new Shape(n, width), DataType.FLOAT64);
        DoubleBuffer target = decoded.toByteBuffer(true).asDoubleBuffer();
        double[] piece = new double[GROUP];
        for (int j = 0; j < n; j++) {
            for (int k = (int) (from / GROUP); (long) k * GROUP < to; k++) {
                Span span = Span.of(k, from, to);
                byte[] held = codesOf(k);
                for (int c = 0; c < span.length(); c++) {
                    piece[c] = (double) centres[k][j] + (double) scales[k][j] * held[entry(k, j, span.inGroup() + c)];
                }
                target.put(Math.toIntExact((long) j * width + (span.start() - from)), piece, 0, span.length());
            }
        }
        if (type == DataType.FLOAT64) {
            return decoded;
        }
        NDArray narrowed = decoded.toType(type, false);
        narrowed.attach(scope);
        return narrowed;
    }

    private void check(long from, long to) {
        BasisRows.checkColumns(from, to, columns);
    }

    private void check(long from, long to, FlatFloats vector) {
        check(from, to);
        if (vector.size() != to - from) {
            throw new IllegalArgumentException("a vector of " + vector.size() + " entries for columns [" + from + ", " + to + ")");
        }
    }

    /** Group k's columns within [from, to): {@code length} of them from {@code start}, {@code inGroup} into the group. */
    private record Span(long start, int length, int inGroup) {
        static Span of(int k, long from, long to) {
            long start = Math.max(from, (long) k * GROUP);
            return new Span(start, (int) (Math.min(to, (long) (k + 1) * GROUP) - start), (int) (start - (long) k * GROUP));
        }
    }

    @Override
    public NDArray project(int n, long from, long to, NDArray g, NDManager scope) {
        float[] values = new float[Math.toIntExact(to - from)];
        if (g.getDataType() == DataType.FLOAT32) {
            g.toByteBuffer(true).asFloatBuffer().get(values);
        } else {
            NDArray single = g.toType(DataType.FLOAT32, false);
            single.attach(scope);
            single.toByteBuffer(true).asFloatBuffer().get(values);
        }
        double[] sums = project(n, from, to, FlatFloats.of(values));
        float[] projected = new float[n];
        for (int j = 0; j < n; j++) {
            projected[j] = (float) sums[j];
        }
        return scope.create(projected);
    }

    /**
     * {@code P[0:n, from:to] g} for {@code g} of length {@code to − from}, summed in float64; each
     * task takes g a group's columns at a time into a buffer of its own.
     */
    double[] project(int n, long from, long to, FlatFloats g) {
        check(from, to, g);
        int first = (int) (from / GROUP);
        int end = (int) ((to + GROUP - 1) / GROUP);
        double[][] partial = new double[(end - first + GROUPS_PER_TASK - 1) / GROUPS_PER_TASK][];
        IntStream.range(0, partial.length).parallel().forEach(task -> {
            double[] sums = new double[n];
            float[] piece = new float[GROUP];
            int last = Math.min(end, first + (task + 1) * GROUPS_PER_TASK);
            for (int k = first + task * GROUPS_PER_TASK; k < last; k++) {
                Span span = Span.of(k, from, to);
                g.get(span.start() - from, piece, 0, span.length());
                projectGroup(k, n, span, piece, sums);
            }
            partial[task] = sums;
        });
        double[] total = new double[n];
        for (double[] sums : partial) {
            for (int j = 0; j < n; j++) {
                total[j] += sums[j];
            }
        }
        return total;
    }

    /** Adds group k's share of {@code P g} to {@code sums}: its columns {@code span}, whose entries of g {@code piece} holds. */
    private void projectGroup(int k, int n, Span span, float[] piece, double[] sums) {
        double total = kernel.sum(piece, 0, span.length());
        float[] dots = new float[capacity];
        for (int b = 0; b < blocks(n); b++) {
            kernel.dots(codesOf(k), blockAt(k, b), width(b), span.inGroup(), span.length(), piece, 0, dots, Int8Kernel.BLOCK * b);
        }
        for (int j = 0; j < n; j++) {
            sums[j] += (double) scales[k][j] * dots[j] + (double) centres[k][j] * total;
        }
    }

    @Override
    public NDArray combine(NDArray alpha, int n, long from, long to, NDManager scope) {
        float[] coordinates = alpha.toFloatArray();
        double[] wide = new double[n];
        for (int j = 0; j < n; j++) {
            wide[j] = coordinates[j];
        }
        float[] point = new float[Math.toIntExact(to - from)];
        combine(wide, n, from, to, FlatFloats.of(point));
        NDArray combined = scope.zeros(new Shape(point.length));
        combined.toByteBuffer(true).asFloatBuffer().put(point);
        return combined;
    }

    /**
     * {@code αᵀ P[0:n, from:to]} into {@code out} (length {@code to − from}); each task makes a
     * group's columns in a buffer of its own and puts them into {@code out}.
     */
    void combine(double[] alpha, int n, long from, long to, FlatFloats out) {
        check(from, to, out);
        int first = (int) (from / GROUP);
        int end = (int) ((to + GROUP - 1) / GROUP);
        int tasks = (end - first + GROUPS_PER_TASK - 1) / GROUPS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(task -> {
            float[] piece = new float[GROUP];
            int last = Math.min(end, first + (task + 1) * GROUPS_PER_TASK);
            for (int k = first + task * GROUPS_PER_TASK; k < last; k++) {
                Span span = Span.of(k, from, to);
                combineGroup(k, alpha, n, span, piece);
                out.put(span.start() - from, piece, 0, span.length());
            }
        });
    }

    /** Makes group k's columns {@code span} of {@code αᵀP} in {@code piece} (from its start). */
    private void combineGroup(int k, double[] alpha, int n, Span span, float[] piece) {
        double shift = 0;
        float[] factors = new float[capacity]; // 0 for the rows held past n
        for (int j = 0; j < n; j++) {
            shift += alpha[j] * centres[k][j];
            factors[j] = (float) (alpha[j] * scales[k][j]);
        }
        Arrays.fill(piece, 0, span.length(), (float) shift);
        for (int b = 0; b < blocks(n); b++) {
            kernel.addScaled(codesOf(k), blockAt(k, b), width(b), span.inGroup(), span.length(), factors, Int8Kernel.BLOCK * b, piece, 0);
        }
    }

    @Override
    public long bytes() {
        long held = 0;
        for (byte[] part : codes) {
            held += part.length;
        }
        return held + 8L * scales.length * capacity;
    }
}
