package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.parallel.Sums;
import io.twa4j.core.params.FlatFloats;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An orthonormal basis P (n × D, one row per kept snapshot) of the span of a set of snapshots,
 * grown one snapshot at a time, with the map back to the snapshots.
 *
 * <p>Each new snapshot {@code w} is projected onto the span of the rows as stored, in float64:
 * {@code c = G⁻¹ P w} with the Gram matrix {@code G = P Pᵀ} kept as its Cholesky factor
 * ({@link GramFactor}), and {@code w − Pᵀc} is the new row's direction. For float32 rows G is I
 * to 1e-7 and this is classical Gram–Schmidt; for rows quantised to int8 or int4, orthonormal
 * only to ~1e-3, it still leaves the new direction orthogonal to every stored row, where
 * Gram–Schmidt (even applied twice) leaves a snapshot a few steps from the others leaning on them.
 * An addition sweeps the memory holding P three times: {@code P w}, {@code Pᵀc}, and the new row's
 * column of G. A snapshot whose remaining norm is below {@code tolerance × |w|} is nearly in the
 * span already: it adds no row and is reported as dropped (so is a zero snapshot, such as a block
 * of biases at their initial zeros).
 *
 * <p>The rows live in one array of {@code capacity × D} allocated up front, so growing the basis
 * never holds a second copy of it. Every snapshot {@code i} added, kept or dropped, is recorded as
 * its coordinates in the basis, {@code w_i = Σ_j L[i][j] p_j}; with these, any point
 * {@code w = Pᵀα} of the span is also {@code Σ_i c_i w_i} over the kept snapshots
 * ({@link #snapshotWeights}).
 */
public final class Basis implements AutoCloseable {

    /** The default relative norm below which a snapshot counts as already in the span. */
    public static final double DEFAULT_TOLERANCE = 1e-6;

    private final NDManager manager;
    private final RowEncoding encoding;
    private final BasisRows rows;
    private final long dimension;
    private final Collective shards;
    /** The columns of P this rank holds: [from, from + columns). */
    private final long from;
    private final long columns;
    private final int capacity;
    private final double tolerance;
    private final List<Integer> rowSources = new ArrayList<>();
    private final List<Integer> droppedSources = new ArrayList<>();
    private final List<Integer> sources = new ArrayList<>();
    private final List<double[]> coordinates = new ArrayList<>();
    private final List<double[]> rowCoordinates = new ArrayList<>();
    private final GramFactor gram = new GramFactor();

    /**
     * An empty basis for vectors of length {@code dimension}, with room for {@code capacity}
     * rows, on the device of {@code parent}.
     */
    public Basis(NDManager parent, long dimension, int capacity, double tolerance) {
        this(parent, dimension, capacity, tolerance, DataType.FLOAT32);
    }

    /**
     * An empty basis whose rows are stored as {@code storage}: FLOAT32, or FLOAT16 to halve the
     * memory and the traffic of each step (rows rounded to 11 significant bits). BFLOAT16 is
     * refused: DJL 0.36's PyTorch engine aborts the JVM on any bfloat16 array.
     */
    public Basis(NDManager parent, long dimension, int capacity, double tolerance, DataType storage) {
        this(parent, dimension, capacity, tolerance, RowEncoding.of(storage), Collective.single());
    }

    /** A basis split among {@code shards} whose rows are stored as {@code storage} (FLOAT32 or FLOAT16). */
    public Basis(NDManager parent, long dimension, int capacity, double tolerance, DataType storage, Collective shards) {
        this(parent, dimension, capacity, tolerance, RowEncoding.of(storage), shards);
    }

    /**
     * A basis whose columns are split among the ranks of {@code shards}, for a basis too large for
     * one worker: rank r holds columns {@code [⌊r·D/N⌋, ⌊(r+1)·D/N⌋)} of every row, so n·D/N
     * numbers. Every rank calls every method with the same arguments (full-length vectors in and
     * out); the sums over columns (norms, the Gram–Schmidt projections, {@code P w}) are summed
     * over the ranks exactly, so every rank keeps the same coordinates, and {@code Pᵀα} is
     * gathered: {@link #project} costs an n-float all-reduce, {@link #combine} a D-float one.
     * With one rank this is the plain basis.
     *
     * <p>The rows are held in {@code encoding}. A quantised basis ({@link RowEncoding#INT8},
     * {@link RowEncoding#INT4}) orthogonalises each new snapshot against the decoded rows, so its
     * rows are orthonormal only to within their quantisation ({@link #orthonormalityError} reports
     * how far), and a snapshot's coordinates and the weights of {@link #snapshotWeights} hold to
     * within the same error; the products {@link #project} and {@link #combine} are exact for the
     * decoded rows, so training in the span stays exact gradient descent on α.
     */
    public Basis(NDManager parent, long dimension, int capacity, double tolerance, RowEncoding encoding, Collective shards) {
        if (dimension < 1 || capacity < 1) {
            throw new IllegalArgumentException("a basis needs dimension and capacity >= 1, got " + dimension + ", " + capacity);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
        }
        this.encoding = encoding;
        this.shards = shards;
        this.from = shards.rank() * dimension / shards.size();
        this.columns = (shards.rank() + 1) * dimension / shards.size() - from;
        if (columns < 1) {
            throw new IllegalArgumentException("a basis of dimension " + dimension + " cannot be split among " + shards.size() + " ranks");
        }
        this.manager = parent.newSubManager();
        this.rows = BasisRows.of(encoding, manager, capacity, columns);
        this.dimension = dimension;
        this.capacity = capacity;
        this.tolerance = tolerance;
    }

    /** What {@link #add} did with a snapshot. */
    public record Added(int source, boolean kept, double relativeResidual) {}

    /**
     * Adds snapshot {@code source} with flat trainable parameters {@code w} (length D). The array
     * is not modified or kept.
     */
    public Added add(int source, NDArray w) {
        if (w.getShape().dimension() != 1 || w.size() != dimension) {
            throw new IllegalArgumentException("snapshot has shape " + w.getShape() + ", the basis needs (" + dimension + ")");
        }
        int n = size();
        try (NDManager scope = manager.newSubManager()) {
            NDArray v = ownColumns(w, scope).toType(DataType.FLOAT64, true);
            v.attach(scope);
            double norm = norm(v);
            if (!Double.isFinite(norm)) {
                throw new IllegalArgumentException("snapshot " + source + " has norm " + norm + "; it cannot join a basis");
            }
            double[] coordinate = Arrays.copyOf(orthogonalise(v, n, scope), n + 1);
            double residual = norm(v);
            double relative = norm > 0 ? residual / norm : 0; // zero is in every span: dropped
            boolean kept = relative >= tolerance;
            if (kept) {
                if (n == capacity) {
                    throw new IllegalStateException("the basis is full (" + capacity + " rows)");
                }
                rows.set(n, v.div(residual));
                gram.extend(storedGramColumn(n, scope));
                coordinate[n] = residual;
                rowSources.add(source);
                rowCoordinates.add(coordinate);
            } else {
                droppedSources.add(source);
            }
            sources.add(source);
            coordinates.add(kept ? coordinate : Arrays.copyOf(coordinate, n));
            return new Added(source, kept, relative);
        }
    }

    /**
     * Takes from {@code v} its projection onto the span of the n rows as stored and returns its
     * coordinates c: {@code c = G⁻¹ P v}, {@code v ← v − Pᵀc}, which leaves v orthogonal to every
     * stored row to float64 rounding. Rows orthonormal only to their quantisation (G = I + E)
     * would otherwise leave a snapshot a few steps from the others (residual ~1e-5 of its norm)
     * leaning on them by ‖E‖ ‖w‖ / residual; for float32 rows G⁻¹ is I to 1e-7, and this is one
     * Gram–Schmidt pass that needs no second.
     */
    private double[] orthogonalise(NDArray v, int n, NDManager scope) {
        if (n == 0) {
            return new double[0];
        }
        double[] c = gram.solve(projectWide(v, n, scope).toDoubleArray());
        subtractCombination(v, scope.create(c), n, scope);
        return c;
    }

    /** Row n's column of G as stored: its inner products with rows 0..n, in float64 over column blocks. */
    private double[] storedGramColumn(int n, NDManager scope) {
        NDArray column = scope.zeros(new Shape(n + 1), DataType.FLOAT64);
        for (long start = 0; start < columns; start += blockColumns(n + 1)) {
            try (NDManager block = scope.newSubManager()) {
                NDArray p = rows.block(n + 1, start, Math.min(this.columns, start + blockColumns(n + 1)), DataType.FLOAT64, block);
                column.addi(p.matMul(p.get(n)));
            }
        }
        return Sums.overRanks(shards, column.toDoubleArray());
    }

    /**
     * {@code P v} for a float64 {@code v}, accumulated in float64 over column blocks of P: the
     * engine's float32 reductions over millions of entries are off by up to ~1e-4 relative on CPU,
     * which would show directly in the basis's orthonormality.
     */
    private NDArray projectWide(NDArray v, int n, NDManager scope) {
        NDArray r = scope.zeros(new Shape(n), DataType.FLOAT64);
        for (long start = 0; start < columns; start += blockColumns(n)) {
            String columns = start + ":" + Math.min(this.columns, start + blockColumns(n));
            try (NDManager block = scope.newSubManager()) {
                NDArray p = rows.block(n, start, Math.min(this.columns, start + blockColumns(n)), DataType.FLOAT64, block);
                NDArray part = v.get(columns);
                part.attach(block);
                r.addi(p.matMul(part));
            }
        }
        return shards.size() == 1 ? r : scope.create(Sums.overRanks(shards, r.toDoubleArray()));
    }

    /** The Euclidean norm of a vector of which this rank holds its columns. */
    private double norm(NDArray ownPart) {
        if (shards.size() == 1) {
            return ownPart.norm().getDouble();
        }
        double squares = ownPart.dot(ownPart).getDouble();
        return Math.sqrt(Sums.overRanks(shards, new double[] {squares})[0]);
    }

    /** This rank's columns of a full-length vector {@code w} (itself for one rank), in {@code scope}. */
    private NDArray ownColumns(NDArray w, NDManager scope) {
        if (shards.size() == 1) {
            return w;
        }
        NDArray part = w.get(from + ":" + (from + columns));
        part.attach(scope);
        return part;
    }

    /** {@code v −= Pᵀ r} in float64, over the same column blocks. */
    private void subtractCombination(NDArray v, NDArray r, int n, NDManager scope) {
        for (long start = 0; start < columns; start += blockColumns(n)) {
            String columns = start + ":" + Math.min(this.columns, start + blockColumns(n));
            try (NDManager block = scope.newSubManager()) {
                NDArray p = rows.block(n, start, Math.min(this.columns, start + blockColumns(n)), DataType.FLOAT64, block);
                NDArray change = r.matMul(p);
                NDArray part = v.get(columns);
                part.attach(block);
                v.set(new NDIndex(columns), part.sub(change));
            }
        }
    }

    /** Columns per block, so a block of P in float64 takes about 32 MB. */
    private static long blockColumns(int n) {
        return Math.max(1, (4L << 20) / n);
    }

    /** The number n of rows. */
    public int size() {
        return rowSources.size();
    }

    /** The length D of each row. */
    public long dimension() {
        return dimension;
    }

    /** The snapshot behind each row, in row order. */
    public List<Integer> rowSources() {
        return Collections.unmodifiableList(rowSources);
    }

    /** The snapshots that added no row (already in the span to within the tolerance). */
    public List<Integer> droppedSources() {
        return Collections.unmodifiableList(droppedSources);
    }

    /** Every snapshot added, kept or dropped, in order. */
    public List<Integer> sources() {
        return Collections.unmodifiableList(sources);
    }

    /**
     * Columns {@code [from, to)} of P (n × (to − from)) as float32 in {@code scope}: a view without
     * a copy for a float32 basis, else those columns decoded. Only for a whole (not sharded) basis.
     */
    public NDArray columns(long from, long to, NDManager scope) {
        checkColumns(from, to);
        return rows.block(size(), from, to, DataType.FLOAT32, scope);
    }

    private void checkColumns(long from, long to) {
        if (sharded()) {
            throw new IllegalStateException("a sharded basis holds only its own columns");
        }
        if (from < 0 || to > dimension || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of a basis of dimension " + dimension);
        }
    }

    /**
     * {@code P[:, from:to] g} for {@code g} of length {@code to − from} (n numbers, float32, in
     * {@code scope}): a parameter's share of {@code P g}, so that {@link SubspaceSgd} takes
     * {@code P g = Σ_l P_l g_l} with no D-length temporaries. A float32 basis multiplies its view
     * of the columns; any other widens or decodes them a block at a time. Only for a whole basis.
     */
    public NDArray projectColumns(long from, long to, NDArray g, NDManager scope) {
        checkColumns(from, to);
        return projectOwn(from, to, g, scope);
    }

    /**
     * {@code αᵀ P[:, from:to]} (length {@code to − from}, float32, in {@code scope}): a parameter's
     * share of {@code Pᵀα}, decoded a block at a time where the basis is not float32. Only for a
     * whole basis.
     */
    public NDArray combineColumns(NDArray alpha, long from, long to, NDManager scope) {
        checkColumns(from, to);
        return combineOwn(alpha, from, to, scope);
    }

    /** {@code P w}: the coordinates of the projection of {@code w} (length D) onto the span, float32, in {@code scope}. */
    public NDArray project(NDArray w, NDManager scope) {
        if (w.getShape().dimension() != 1 || w.size() != dimension) {
            throw new IllegalArgumentException("vector has shape " + w.getShape() + ", the basis needs (" + dimension + ")");
        }
        NDArray projected = projectOwn(0, columns, ownColumns(w, scope), scope);
        if (shards.size() == 1) {
            return projected;
        }
        float[] sum = projected.toFloatArray();
        shards.allReduceSum(sum);
        return scope.create(sum);
    }

    /** {@code P[:, from:to] g} over this rank's columns. */
    private NDArray projectOwn(long from, long to, NDArray g, NDManager scope) {
        return rows.project(size(), from, to, g, scope);
    }

    /** {@code Pᵀ α} for coordinates held on the host (length n), float32, in {@code scope}. */
    public NDArray combine(double[] alpha, NDManager scope) {
        return combine(coordinates(alpha, scope), scope);
    }

    /** Coordinates held on the host as a float32 vector in {@code scope}. */
    static NDArray coordinates(double[] alpha, NDManager scope) {
        float[] values = new float[alpha.length];
        for (int i = 0; i < alpha.length; i++) {
            values[i] = (float) alpha[i];
        }
        return scope.create(values);
    }

    /** {@code Pᵀ α}: the point with coordinates {@code alpha} (length n), float32, in {@code scope}. */
    public NDArray combine(NDArray alpha, NDManager scope) {
        NDArray own = combineOwn(alpha, 0, columns, scope);
        if (shards.size() == 1) {
            return own;
        }
        float[] gathered = new float[Math.toIntExact(dimension)];
        System.arraycopy(own.toFloatArray(), 0, gathered, (int) from, (int) columns);
        shards.allReduceSum(gathered); // the other ranks' columns are zero here: the sum gathers them
        return scope.create(gathered);
    }

    /** Columns {@code [from, to)} of this rank's {@code Pᵀ α}. */
    private NDArray combineOwn(NDArray alpha, long from, long to, NDManager scope) {
        NDArray coordinates = alpha;
        if (alpha.getDataType() != DataType.FLOAT32) {
            coordinates = alpha.toType(DataType.FLOAT32, true);
            coordinates.attach(scope);
        }
        return rows.combine(coordinates, size(), from, to, scope);
    }

    /**
     * Whether the rows are held on the JVM heap (int8 rows, {@link HostInt8Rows}), so that a step
     * can take {@link #project(FlatFloats)} and {@link #combine(double[], FlatFloats)} on flat vectors;
     * false for a sharded basis.
     */
    public boolean onHeap() {
        return rows instanceof HostInt8Rows && !sharded();
    }

    /** Which loops multiply heap-held rows ({@code vector} or {@code scalar}); {@code engine} for rows the engine holds. */
    public String kernel() {
        return rows instanceof HostInt8Rows host ? host.kernel() : "engine";
    }

    /**
     * {@code P g} (n numbers, summed in float64) for a flat g (length D: a heap array, or the
     * gradients' memory, taken a group of columns at a time); only where {@link #onHeap}.
     */
    public double[] project(FlatFloats g) {
        checkHeap(g.size());
        return ((HostInt8Rows) rows).project(size(), 0, columns, g);
    }

    /**
     * {@code Pᵀα}, put into {@code point} (length D) a group of columns at a time: a heap array,
     * or the parameters' memory ({@code FlatParameters.view()}), so nothing goes through the engine.
     * Only where {@link #onHeap}.
     */
    public void combine(double[] alpha, FlatFloats point) {
        checkHeap(point.size());
        if (alpha.length != size()) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " entries, the basis has " + size() + " rows");
        }
        ((HostInt8Rows) rows).combine(alpha, size(), 0, columns, point);
    }

    private void checkHeap(long length) {
        if (!onHeap()) {
            throw new IllegalStateException("the rows of this basis are not on the heap");
        }
        if (length != dimension) {
            throw new IllegalArgumentException("vector has " + length + " entries, the basis needs " + dimension);
        }
    }

    /** How the rows are held. */
    public RowEncoding encoding() {
        return encoding;
    }
    /** The coordinates {@code α} of snapshot number {@code i} (in the order added). */
    public double[] coordinatesOf(int i) {
        return Arrays.copyOf(coordinates.get(i), size());
    }

    /** The coordinates of the mean of all snapshots added (kept and dropped). */
    public double[] coordinatesOfMean() {
        double[] mean = new double[size()];
        for (double[] coordinate : coordinates) {
            for (int j = 0; j < coordinate.length; j++) {
                mean[j] += coordinate[j] / coordinates.size();
            }
        }
        return mean;
    }

    /**
     * The weights {@code c} over the kept snapshots (in {@link #rowSources} order) such that
     * {@code Pᵀα = Σ c_i w_i}: the solution of {@code Lᵀ c = α} with L the kept snapshots'
     * coordinates (lower triangular).
     */
    public double[] snapshotWeights(double[] alpha) {
        int n = size();
        if (alpha.length != n) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " entries, the basis has " + n + " rows");
        }
        // row i of L is the i-th kept snapshot's coordinates, nonzero up to column i:
        // Pᵀα = Σ_i c_i w_i where Lᵀc = α
        return LowerTriangular.solveTransposed(rowCoordinates, alpha);
    }

    /**
     * {@link #snapshotWeights} keyed by the source each kept row came from ({@link #add}'s {@code
     * source}), every dropped source with weight 0, in the order the sources were added.
     */
    public Map<Integer, Double> weightsBySource(double[] alpha) {
        double[] weights = snapshotWeights(alpha);
        Map<Integer, Double> bySource = new LinkedHashMap<>();
        sources().forEach(source -> bySource.put(source, 0.0));
        for (int row = 0; row < weights.length; row++) {
            bySource.put(rowSources().get(row), weights[row]);
        }
        return bySource;
    }

    /** {@code max |P Pᵀ − I|}, the achieved orthonormality error, computed in float64. */
    public double orthonormalityError() {
        int n = size();
        try (NDManager scope = manager.newSubManager()) {
            NDArray gram = scope.zeros(new Shape(n, n), DataType.FLOAT64);
            for (long start = 0; start < columns; start += blockColumns(n)) {
                try (NDManager block = scope.newSubManager()) {
                    NDArray wide = rows.block(n, start, Math.min(columns, start + blockColumns(n)), DataType.FLOAT64, block);
                    gram.addi(wide.matMul(wide.transpose()));
                }
            }
            if (shards.size() > 1) {
                gram = scope.create(Sums.overRanks(shards, gram.toDoubleArray()), new Shape(n, n));
            }
            return gram.sub(scope.eye(n, n, 0, DataType.FLOAT64)).abs().max().getDouble();
        }
    }

    /** Bytes held by the rows (on this rank: its columns). */
    public long bytes() {
        return rows.bytes();
    }

    /** Whether the columns are split among several ranks ({@link #project} and {@link #combine} then exchange). */
    public boolean sharded() {
        return shards.size() > 1;
    }

    /** The ranks the columns are split among ({@link Collective#single()} when they are not). */
    public Collective shards() {
        return shards;
    }

    @Override
    public void close() {
        manager.close();
    }
}
