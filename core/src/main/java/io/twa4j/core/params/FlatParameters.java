package io.twa4j.core.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Reads and writes the parameters of a {@link ParameterLayout} as one flat vector of length D.
 * This is the only place in twa4j that flattens parameters or gradients.
 *
 * <p>Every array this class returns is created in the caller's scope; nothing is left on the
 * model's manager (an operation's result belongs to its first operand's manager, so every
 * intermediate made from a parameter is attached to the scope at once). Writes go into the existing parameter arrays in place, so a trainer or
 * optimiser that holds them sees the new values.
 */
public final class FlatParameters {

    private static final NDIndex ALL = new NDIndex("...");

    private final ParameterLayout layout;
    /** The parameters' arrays and what each is ("parameter conv.weight"), for {@link #view()}, made once. */
    private final List<NDArray> arrays;
    private final List<String> names;
    /** Whether a {@link #view()} has found every parameter's view to reach its memory. */
    private boolean viewsChecked;

    /** Flat access to the parameters of {@code layout}. */
    public FlatParameters(ParameterLayout layout) {
        this.layout = layout;
        this.arrays = layout.entries().stream().map(ParameterLayout.Entry::array).toList();
        this.names = layout.entries().stream().map(entry -> "parameter " + entry.name()).toList();
    }

    /** The layout this view reads and writes. */
    public ParameterLayout layout() {
        return layout;
    }

    /** The length D of the flat vector. */
    public long size() {
        return layout.size();
    }

    /** A copy of the parameters, concatenated in layout order, owned by {@code scope}. */
    public NDArray read(NDManager scope) {
        NDList pieces = new NDList(layout.entries().size());
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray piece = entry.array().reshape(-1);
            piece.attach(scope);
            pieces.add(piece);
        }
        return concat(pieces, scope);
    }

    /**
     * The layout's parameters taken from named arrays (a snapshot file's tensors), concatenated in
     * layout order, owned by {@code scope}. Names and shapes must match; extra names are ignored
     * (a snapshot also holds BatchNorm statistics).
     *
     * @throws IllegalArgumentException naming the first missing or mis-shaped parameter
     */
    public NDArray flatten(Map<String, NDArray> byName, NDManager scope) {
        NDList pieces = new NDList(layout.entries().size());
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray piece = checked(byName, entry).reshape(-1);
            piece.attach(scope);
            pieces.add(piece);
        }
        return concat(pieces, scope);
    }

    /** A copy of the accumulated gradients, concatenated in layout order, owned by {@code scope}. */
    public NDArray readGradient(NDManager scope) {
        NDList pieces = new NDList(layout.entries().size());
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray gradient = entry.array().getGradient();
            gradient.attach(scope);
            NDArray piece = gradient.reshape(-1);
            piece.attach(scope);
            pieces.add(piece);
        }
        return concat(pieces, scope);
    }

    /**
     * The accumulated gradients, in layout order, as a read-only flat vector over their memory
     * (views of the flattened gradients, which {@code scope} holds; a gradient not contiguous on
     * the CPU is read from a copy), valid until the next backward pass.
     *
     * @throws IllegalStateException naming a gradient that is not float32
     */
    public FlatFloats gradientView(NDManager scope) {
        long[] starts = new long[layout.entries().size()];
        FloatBuffer[] pieces = new FloatBuffer[starts.length];
        int[] i = {0};
        forEachGradient((entry, piece) -> {
            starts[i[0]] = entry.offset();
            pieces[i[0]++] = memoryOf("the gradient of " + entry.name(), piece).asReadOnlyBuffer();
        }, scope);
        return FlatFloats.joined(starts, pieces);
    }

    /**
     * Hands each parameter's accumulated gradient, flattened (its length, in {@code scope}), to
     * {@code action} with the parameter's place in the flat vector: a product over the flat
     * gradient taken piece by piece, without the D-length concatenation of {@link #readGradient}.
     */
    public void forEachGradient(BiConsumer<ParameterLayout.Entry, NDArray> action, NDManager scope) {
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray gradient = entry.array().getGradient();
            gradient.attach(scope);
            NDArray piece = gradient.reshape(-1);
            piece.attach(scope);
            action.accept(entry, piece);
        }
    }

    /**
     * Writes into each parameter, in place, the flat piece (its length) that {@code piece} makes
     * for it: {@link #write(NDArray)} without a D-length vector.
     */
    public void writeEach(Function<ParameterLayout.Entry, NDArray> piece, NDManager scope) {
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray shaped = piece.apply(entry).reshape(entry.shape());
            shaped.attach(scope);
            entry.array().set(ALL, shaped);
        }
    }

    /**
     * Replaces the accumulated gradients with {@code flat} (length D, layout order), in place: a
     * data-parallel step puts the all-reduced gradient back before its update rule reads it.
     */
    public void writeGradient(NDArray flat) {
        forEachPiece(flat, (parameter, piece) -> {
            try (NDArray gradient = parameter.getGradient()) {
                gradient.set(ALL, piece);
            }
        });
    }

    /** Writes {@code flat} (length D) into the parameters in place. */
    public void write(NDArray flat) {
        forEachPiece(flat, (parameter, piece) -> parameter.set(ALL, piece));
    }

    /**
     * The parameters, in layout order, as a flat vector over their memory: what is put into it
     * lands in the parameters in place, with no engine array and one copy. Made anew for each
     * step (an engine may move a parameter between steps). The first view checks, parameter by
     * parameter, that it reaches the memory: it changes the last bit of the first entry through
     * the view, reads the entry back through the engine and puts it back, so that a parameter
     * whose view would be a copy (not contiguous, not on the CPU) ends with an error rather than
     * a write that leaves the old values in place.
     *
     * @throws IllegalStateException naming a parameter that is not float32 or whose memory the
     *     view does not reach
     */
    public FlatFloats view() {
        FlatFloats view = memoryOf(names, arrays, !viewsChecked);
        viewsChecked = true;
        return view;
    }

    /**
     * The memory of {@code arrays} (float32, contiguous on the CPU) as one flat vector, array after
     * array, written and read in place: {@link #view()} for arrays other than a model's parameters
     * (an optimiser's state). With {@code check}, each array is first checked as the first view is
     * (a bit of its first entry changed through the view, read back through the engine, put back).
     *
     * @param names what each array is, for the error ("parameter conv.weight")
     * @throws IllegalStateException naming an array that is not float32 or whose memory the view
     *     does not reach
     */
    public static FlatFloats memoryOf(List<String> names, List<NDArray> arrays, boolean check) {
        long[] starts = new long[arrays.size()];
        FloatBuffer[] pieces = new FloatBuffer[starts.length];
        long start = 0;
        for (int i = 0; i < starts.length; i++) {
            NDArray array = arrays.get(i);
            starts[i] = start;
            start += array.size();
            pieces[i] = memoryOf(names.get(i), array);
            if (check) {
                checkReaches(names.get(i), array, pieces[i]);
            }
        }
        return FlatFloats.joined(starts, pieces);
    }

    /** The memory of one float32 array on the CPU, as floats ({@code name} says what it is, for the error). */
    private static FloatBuffer memoryOf(String name, NDArray array) {
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException(name + " is " + array.getDataType() + ", not float32");
        }
        return array.toByteBuffer(true).asFloatBuffer();
    }

    private static void checkReaches(String name, NDArray array, FloatBuffer view) {
        if (view.capacity() == 0) {
            return;
        }
        float held = view.get(0);
        int marked = Float.floatToRawIntBits(held) ^ 1;
        view.put(0, Float.intBitsToFloat(marked));
        boolean reached = Float.floatToRawIntBits(array.toFloatArray()[0]) == marked;
        view.put(0, held);
        if (!reached) {
            throw new IllegalStateException(name + " cannot be written through a view of its memory (not contiguous on the CPU)");
        }
    }

    /** Adds {@code delta} (length D) to the parameters in place. */
    public void add(NDArray delta) {
        forEachPiece(delta, NDArray::addi);
    }

    /** Hands each parameter its piece of {@code flat}, shaped like it. */
    private void forEachPiece(NDArray flat, BiConsumer<NDArray, NDArray> action) {
        if (flat.getShape().dimension() != 1 || flat.size() != layout.size()) {
            throw new IllegalArgumentException(
                    "flat vector has shape " + flat.getShape() + ", layout needs (" + layout.size() + ")");
        }
        try (NDManager scope = flat.getManager().newSubManager()) {
            for (ParameterLayout.Entry entry : layout.entries()) {
                NDArray piece = flat.get(entry.offset() + ":" + (entry.offset() + entry.size()));
                piece.attach(scope);
                NDArray shaped = piece.reshape(entry.shape());
                shaped.attach(scope);
                action.accept(entry.array(), shaped);
            }
        }
    }

    /** Writes the named arrays into the parameters in place; names and shapes must match exactly. */
    public void write(Map<String, NDArray> byName) {
        for (ParameterLayout.Entry entry : layout.entries()) {
            entry.array().set(ALL, checked(byName, entry));
        }
    }

    private static NDArray checked(Map<String, NDArray> byName, ParameterLayout.Entry entry) {
        NDArray value = byName.get(entry.name());
        if (value == null) {
            throw new IllegalArgumentException("parameter " + entry.name() + " is missing");
        }
        if (!value.getShape().equals(entry.shape())) {
            throw new IllegalArgumentException(
                    "parameter " + entry.name() + " has shape " + value.getShape() + ", the model needs " + entry.shape());
        }
        return value;
    }

    /** Sets every accumulated gradient to zero (the engine accumulates gradients across backward passes). */
    public void zeroGradients() {
        for (ParameterLayout.Entry entry : layout.entries()) {
            try (NDArray gradient = entry.array().getGradient()) {
                // in place and without a scalar operand, which would be created on the model's manager
                gradient.subi(gradient);
            }
        }
    }

    private static NDArray concat(NDList pieces, NDManager scope) {
        if (pieces.isEmpty()) {
            return scope.zeros(new Shape(0));
        }
        NDArray flat = pieces.size() == 1 ? pieces.get(0).duplicate() : NDArrays.concat(pieces);
        flat.attach(scope);
        for (NDArray piece : pieces) {
            piece.close();
        }
        return flat;
    }
}
