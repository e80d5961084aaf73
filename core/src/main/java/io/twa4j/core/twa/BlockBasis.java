package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * TWA's subspace by blocks of parameters (the journal version's layer-wise coefficients): the
 * trainable parameters cut into L blocks (each tensor, each layer, K runs of tensors, or one block
 * of all), block l with its own orthonormal basis P_l (n_l × D_l) of the snapshots' values in that
 * block and its own coordinates α_l:
 *
 * <pre>
 *   w_l = P_lᵀ α_l = Σ_i c_{i,l} w_{i,l}        for every block l
 * </pre>
 *
 * <p>The coordinates of all blocks are one vector α = (α_1, …, α_L) of {@code Σ n_l ≤ n·L}
 * numbers; the bases together hold n × D values, as one global basis does. Training α by
 * {@link SubspaceSgd} is projected SGD in the product of the blocks' spans (each block's gradient
 * projected onto its own span). With one block of all parameters this is exactly the global
 * {@link Basis}.
 */
public final class BlockBasis implements AutoCloseable {

    /**
     * One block: its name (as coefficients.csv reports it), its parameters and its basis.
     *
     * @param name {@code all} for the global basis, else the tensor's, layer's or run's name
     * @param parameters the block's parameters (a layout with offsets from 0)
     * @param basis the block's basis, of dimension {@code parameters.size()}
     */
    public record Block(String name, FlatParameters parameters, Basis basis) {
        /** Checks that the basis fits the parameters. */
        public Block {
            if (parameters.size() != basis.dimension()) {
                throw new IllegalArgumentException("block " + name + " has " + parameters.size() + " parameters, its basis "
                        + basis.dimension());
            }
        }
    }

    /** The name of the one block of a global basis. */
    public static final String ALL = "all";

    private final List<Block> blocks;

    private BlockBasis(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** One block of all of {@code parameters} in {@code basis} (closing this closes the basis). */
    public static BlockBasis global(Basis basis, FlatParameters parameters) {
        return new BlockBasis(List.of(new Block(ALL, parameters, basis)));
    }

    /**
     * Empty bases for the blocks {@code layouts} (name to the block's parameters), each with room
     * for {@code capacity} rows. Only a single block may be split among several ranks ({@code shards}).
     */
    public static BlockBasis empty(Map<String, ParameterLayout> layouts, NDManager manager, int capacity, double tolerance,
            RowEncoding encoding, Collective shards) {
        if (layouts.isEmpty()) {
            throw new IllegalArgumentException("no blocks");
        }
        if (layouts.size() > 1 && shards.size() > 1) {
            throw new IllegalArgumentException("a basis split among ranks has one block of all parameters, not " + layouts.size());
        }
        List<Block> blocks = new ArrayList<>();
        try {
            layouts.forEach((name, layout) -> blocks.add(new Block(name, new FlatParameters(layout),
                    new Basis(manager, layout.size(), capacity, tolerance, encoding, shards))));
        } catch (RuntimeException e) {
            blocks.forEach(block -> block.basis().close());
            throw e;
        }
        return new BlockBasis(blocks);
    }

    /**
     * Adds snapshot {@code source} to every block: {@code values} gives the snapshot's flat values
     * of a block's parameters (for instance {@code FlatParameters::read} for the model's current
     * weights).
     */
    public void add(int source, Function<FlatParameters, NDArray> values) {
        for (Block block : blocks) {
            block.basis().add(source, values.apply(block.parameters()));
        }
    }

    /** The blocks, in order. */
    public List<Block> blocks() {
        return blocks;
    }

    /** The single basis of a global (one-block) subspace. */
    public Basis global() {
        if (blocks.size() != 1) {
            throw new IllegalStateException("a subspace of " + blocks.size() + " blocks has no single basis");
        }
        return blocks.get(0).basis();
    }

    /** The number of coordinates, {@code Σ n_l}. */
    public int size() {
        return blocks.stream().mapToInt(block -> block.basis().size()).sum();
    }

    /** The number D of parameters, {@code Σ D_l}. */
    public long dimension() {
        return blocks.stream().mapToLong(block -> block.basis().dimension()).sum();
    }

    /** The most rows any block has. */
    public int maxRows() {
        return blocks.stream().mapToInt(block -> block.basis().size()).max().orElse(0);
    }

    /** The coordinates of the mean of the snapshots added, block after block. */
    public double[] coordinatesOfMean() {
        return joined(Basis::coordinatesOfMean);
    }

    /** The coordinates of snapshot number {@code i} (in the order added), block after block. */
    public double[] coordinatesOf(int i) {
        return joined(basis -> basis.coordinatesOf(i));
    }

    /** The coordinates of the projection of a point onto every block's span ({@code values} as in {@link #add}). */
    public double[] project(Function<FlatParameters, NDArray> values, NDManager scope) {
        List<double[]> parts = new ArrayList<>();
        for (Block block : blocks) {
            float[] projected = block.basis().project(values.apply(block.parameters()), scope).toFloatArray();
            double[] wide = new double[projected.length];
            for (int j = 0; j < wide.length; j++) {
                wide[j] = projected[j];
            }
            parts.add(wide);
        }
        return concatenated(parts);
    }

    private double[] joined(Function<Basis, double[]> part) {
        List<double[]> parts = new ArrayList<>();
        blocks.forEach(block -> parts.add(part.apply(block.basis())));
        return concatenated(parts);
    }

    private static double[] concatenated(List<double[]> parts) {
        double[] all = new double[parts.stream().mapToInt(part -> part.length).sum()];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** Block l's share {@code α_l} of the coordinates {@code alpha}. */
    public double[] slice(double[] alpha, int l) {
        if (alpha.length != size()) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " entries, the subspace " + size());
        }
        int from = 0;
        for (int k = 0; k < l; k++) {
            from += blocks.get(k).basis().size();
        }
        return Arrays.copyOfRange(alpha, from, from + blocks.get(l).basis().size());
    }

    /** Writes {@code w_l = P_lᵀ α_l} into every block's parameters, in place. */
    public void write(double[] alpha, NDManager scope) {
        for (int l = 0; l < blocks.size(); l++) {
            Block block = blocks.get(l);
            block.parameters().write(block.basis().combine(slice(alpha, l), scope));
        }
    }

    /**
     * The weight of every snapshot in every block ({@link Basis#weightsBySource} per block): block
     * name to source to {@code c_{i,l}}, in order.
     */
    public Map<String, Map<Integer, Double>> weightsBySource(double[] alpha) {
        Map<String, Map<Integer, Double>> weights = new LinkedHashMap<>();
        for (int l = 0; l < blocks.size(); l++) {
            weights.put(blocks.get(l).name(), blocks.get(l).basis().weightsBySource(slice(alpha, l)));
        }
        return Collections.unmodifiableMap(weights);
    }

    /** The largest {@code max |P_l P_lᵀ − I|} over the blocks. */
    public double orthonormalityError() {
        return blocks.stream().mapToDouble(block -> block.basis().orthonormalityError()).max().orElse(0);
    }

    /** Bytes held by all the blocks' rows (on this rank). */
    public long bytes() {
        return blocks.stream().mapToLong(block -> block.basis().bytes()).sum();
    }

    /** Whether the one block's columns are split among several ranks. */
    public boolean sharded() {
        return blocks.size() == 1 && blocks.get(0).basis().sharded();
    }

    @Override
    public void close() {
        blocks.forEach(block -> block.basis().close());
    }
}
