package io.twa4j.core.twa;

import static io.twa4j.core.twa.SubspaceSgdTest.MOMENTUM;
import static io.twa4j.core.twa.SubspaceSgdTest.SCHEDULE;
import static io.twa4j.core.twa.SubspaceSgdTest.SNAPSHOTS;
import static io.twa4j.core.twa.SubspaceSgdTest.WD;
import static io.twa4j.core.twa.SubspaceSgdTest.distance;
import static io.twa4j.core.twa.SubspaceSgdTest.loop;
import static io.twa4j.core.twa.SubspaceSgdTest.norm;
import static io.twa4j.core.twa.SubspaceSgdTest.setup;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Layer-wise coefficients: the coefficient form over blocks equals projected SGD in full space
 * with each block's gradient projected onto its own span, every block's weights are the combination
 * its coefficients report, and one block of all parameters is the global basis exactly.
 */
class BlockBasisTest {

    private static final ArrayBatchSource DATA = ArrayBatchSource.blobs(20 * 16, 10, 3, 16, 4);

    /** The layers of the test model: DJL names a layer's tensors LAYER_weight, LAYER_bias, ... */
    private static Map<String, ParameterLayout> perLayer(FlatParameters flat) {
        return flat.layout().groups(entry -> entry.name().substring(0, entry.name().lastIndexOf('_')));
    }

    private static BlockBasis blocksOf(SubspaceSgdTest.Setup setup, Map<String, ParameterLayout> layouts) {
        BlockBasis blocks = BlockBasis.empty(layouts, setup.manager(), SNAPSHOTS, Basis.DEFAULT_TOLERANCE, RowEncoding.F32,
                Collective.single());
        for (int i = 0; i < setup.snapshots().size(); i++) {
            NDArray snapshot = setup.snapshots().get(i);
            blocks.add(i, block -> piece(setup.flat(), block, snapshot));
        }
        return blocks;
    }

    /** The values of {@code block}'s parameters in a whole flat vector of the model. */
    private static NDArray piece(FlatParameters whole, FlatParameters block, NDArray flat) {
        Map<String, ParameterLayout.Entry> byName = new java.util.HashMap<>();
        whole.layout().entries().forEach(entry -> byName.put(entry.name(), entry));
        NDManager manager = flat.getManager();
        NDArray[] parts = block.layout().entries().stream().map(entry -> {
            ParameterLayout.Entry at = byName.get(entry.name());
            return flat.get(at.offset() + ":" + (at.offset() + at.size()));
        }).toArray(NDArray[]::new);
        return parts.length == 1 ? parts[0] : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts)).toDevice(manager.getDevice(), false);
    }

    /** The reference by blocks: g_l ← P_lᵀ(P_l g_l) for every block l, then PyTorch's SGD on w. */
    private record BlockProjectedSgd(BlockBasis blocks, SgdUpdate sgd) implements UpdateRule {
        @Override
        public void step(double lr, NDManager scope) {
            for (BlockBasis.Block block : blocks.blocks()) {
                NDArray g = block.parameters().readGradient(scope);
                NDArray projected = block.basis().combine(block.basis().project(g, scope), scope);
                for (ParameterLayout.Entry entry : block.parameters().layout().entries()) {
                    NDArray gradient = entry.array().getGradient();
                    gradient.attach(scope);
                    gradient.set(new NDIndex("..."), projected.get(entry.offset() + ":" + (entry.offset() + entry.size()))
                            .reshape(entry.shape()));
                }
            }
            sgd.step(lr, scope);
        }
    }

    /** The model's trainable parameters after 20 steps of TWA over {@code layouts}, trained as {@code rule} says. */
    private static float[] trained(Function<SubspaceSgdTest.Setup, Map<String, ParameterLayout>> layouts, boolean fullSpace,
            java.util.function.Consumer<Object[]> check) {
        try (NDManager manager = NDManager.newBaseManager()) {
            SubspaceSgdTest.Setup setup = setup(manager, DATA);
            try (BlockBasis blocks = blocksOf(setup, layouts.apply(setup))) {
                UpdateRule rule;
                if (fullSpace) {
                    blocks.write(blocks.coordinatesOfMean(), manager);
                    rule = new BlockProjectedSgd(blocks, new SgdUpdate(setup.flat().layout(), MOMENTUM, WD));
                } else {
                    rule = new SubspaceSgd(blocks, new SubspaceSgd.Hyperparameters(MOMENTUM, WD), blocks.coordinatesOfMean(),
                            Collective.single());
                }
                loop(setup.block(), manager, rule, SCHEDULE).run(DATA, null, 7, 8);
                check.accept(new Object[] {setup, blocks, rule});
                return setup.flat().read(manager).toFloatArray();
            }
        }
    }

    @Test
    void perLayerCoefficientFormEqualsPerBlockProjectedSgdInFullSpace() {
        float[] coefficientForm = trained(setup -> perLayer(setup.flat()), false, nothing -> {});
        float[] fullSpace = trained(setup -> perLayer(setup.flat()), true, nothing -> {});
        float[] global = trained(setup -> Map.of(BlockBasis.ALL, setup.flat().layout()), false, nothing -> {});
        assertThat(distance(coefficientForm, fullSpace) / norm(fullSpace)).isLessThan(1e-4);
        // the blocks make a difference: per-layer TWA is not the global one
        assertThat(distance(coefficientForm, global) / norm(global)).isGreaterThan(1e-3);
    }

    @Test
    void perTensorCoefficientsReproduceEveryBlock() {
        trained(setup -> setup.flat().layout().groups(ParameterLayout.Entry::name), false, parts -> {
            SubspaceSgdTest.Setup setup = (SubspaceSgdTest.Setup) parts[0];
            BlockBasis blocks = (BlockBasis) parts[1];
            SubspaceSgd sgd = (SubspaceSgd) parts[2];
            Map<String, Map<Integer, Double>> weights = blocks.weightsBySource(sgd.coefficients());
            assertThat(weights).hasSize(setup.flat().layout().entries().size());
            try (NDManager scope = setup.manager().newSubManager()) {
                for (BlockBasis.Block block : blocks.blocks()) {
                    float[] actual = block.parameters().read(scope).toFloatArray();
                    double[] combination = new double[actual.length];
                    weights.get(block.name()).forEach((source, c) -> {
                        float[] snapshot = piece(setup.flat(), block.parameters(), setup.snapshots().get(source)).toFloatArray();
                        for (int k = 0; k < combination.length; k++) {
                            combination[k] += c * snapshot[k];
                        }
                    });
                    float[] expected = new float[actual.length];
                    for (int k = 0; k < expected.length; k++) {
                        expected[k] = (float) combination[k];
                    }
                    assertThat(distance(actual, expected)).as("block %s", block.name()).isLessThanOrEqualTo(1e-5 * norm(expected) + 1e-7);
                }
            }
        });
    }

    @Test
    void oneBlockOfAllParametersIsTheGlobalBasisExactly() {
        float[] blocks = trained(setup -> Map.of(BlockBasis.ALL, setup.flat().layout()), false, nothing -> {});
        float[] global;
        try (NDManager manager = NDManager.newBaseManager()) {
            SubspaceSgdTest.Setup setup = setup(manager, DATA);
            try (Basis basis = new Basis(manager, setup.flat().size(), SNAPSHOTS, Basis.DEFAULT_TOLERANCE)) {
                for (int i = 0; i < setup.snapshots().size(); i++) {
                    basis.add(i, setup.snapshots().get(i));
                }
                SubspaceSgd sgd = new SubspaceSgd(basis, setup.flat(), MOMENTUM, WD, basis.coordinatesOfMean());
                loop(setup.block(), manager, sgd, SCHEDULE).run(DATA, null, 7, 8);
                global = setup.flat().read(manager).toFloatArray();
            }
        }
        assertThat(blocks).containsExactly(global);
    }
}
