package io.twa4j.core.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered parameters of an initialised {@link Block}: for each its name, shape and offset in
 * the flat vector that concatenates them in block order.
 *
 * <p>Two views exist: {@link #trainable(Block)} (the parameters that receive gradients: the space
 * in which SGD and TWA move) and {@link #all(Block)} (also BatchNorm running statistics: what a
 * snapshot stores).
 */
public final class ParameterLayout {

    /**
     * One parameter of the layout.
     *
     * @param name the parameter's path in the block, unique, used as the key in snapshot files
     * @param parameter the DJL parameter (its array is the live value)
     * @param shape the parameter's shape
     * @param offset where its values start in the flat vector
     * @param size how many values it holds
     */
    public record Entry(String name, Parameter parameter, Shape shape, long offset, long size) {

        /** The live array holding the parameter's values. */
        public NDArray array() {
            return parameter.getArray();
        }
    }

    private final List<Entry> entries;
    private final long size;

    private ParameterLayout(List<Entry> entries, long size) {
        this.entries = Collections.unmodifiableList(entries);
        this.size = size;
    }

    /** The parameters that require gradients, in block order. */
    public static ParameterLayout trainable(Block block) {
        return of(block, Parameter::requiresGradient);
    }

    /** Every parameter, BatchNorm running statistics included, in block order. */
    public static ParameterLayout all(Block block) {
        return of(block, parameter -> true);
    }

    /**
     * The parameters that receive no gradient (PyTorch's buffers: BatchNorm running statistics), in
     * block order: what a data-parallel run copies from rank 0 so that every rank evaluates the same
     * model.
     */
    public static ParameterLayout buffers(Block block) {
        return of(block, parameter -> !parameter.requiresGradient());
    }

    private static ParameterLayout of(Block block, java.util.function.Predicate<Parameter> included) {
        List<Entry> entries = new ArrayList<>();
        long offset = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (!included.test(parameter)) {
                continue;
            }
            if (!parameter.isInitialized()) {
                throw new IllegalStateException("parameter " + pair.getKey() + " is not initialised");
            }
            Shape shape = parameter.getArray().getShape();
            entries.add(new Entry(pair.getKey(), parameter, shape, offset, shape.size()));
            offset += shape.size();
        }
        return new ParameterLayout(entries, offset);
    }

    /**
     * This layout cut into groups of whole parameters ({@code groupOf} names each parameter's
     * group), each a layout of its own with offsets from 0, in order of first appearance; a
     * {@link FlatParameters} of a group reads and writes only its parameters.
     */
    public Map<String, ParameterLayout> groups(java.util.function.Function<Entry, String> groupOf) {
        Map<String, List<Entry>> members = new LinkedHashMap<>();
        for (Entry entry : entries) {
            members.computeIfAbsent(groupOf.apply(entry), key -> new ArrayList<>()).add(entry);
        }
        Map<String, ParameterLayout> groups = new LinkedHashMap<>();
        members.forEach((name, list) -> {
            List<Entry> shifted = new ArrayList<>();
            long offset = 0;
            for (Entry entry : list) {
                shifted.add(new Entry(entry.name(), entry.parameter(), entry.shape(), offset, entry.size()));
                offset += entry.size();
            }
            groups.put(name, new ParameterLayout(shifted, offset));
        });
        return groups;
    }

    /** The parameters in order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The length D of the flat vector. */
    public long size() {
        return size;
    }

    /** The live arrays keyed by parameter name, in order (no copies). */
    public Map<String, NDArray> arraysByName() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Entry entry : entries) {
            arrays.put(entry.name(), entry.array());
        }
        return arrays;
    }

    /** Names and shapes, for comparing two layouts or reporting a mismatch. */
    public Map<String, Shape> shapesByName() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Entry entry : entries) {
            shapes.put(entry.name(), entry.shape());
        }
        return shapes;
    }
}
