package io.twa4j.core.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import io.twa4j.core.TestBlocks;
import org.junit.jupiter.api.Test;

class FlatParametersTest {

    @Test
    void layoutListsTrainableParametersInOrderWithOffsets() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            ParameterLayout trainable = ParameterLayout.trainable(block);
            // Linear(3→4): 12 + 4, BN gamma/beta: 4 + 4, Linear(4→2): 8 + 2
            assertThat(trainable.size()).isEqualTo(12 + 4 + 4 + 4 + 8 + 2);
            long expectedOffset = 0;
            for (ParameterLayout.Entry entry : trainable.entries()) {
                assertThat(entry.offset()).isEqualTo(expectedOffset);
                expectedOffset += entry.size();
            }
            // the running statistics are parameters too, but not trainable
            assertThat(ParameterLayout.all(block).size()).isEqualTo(trainable.size() + 4 + 4);
        }
    }

    @Test
    void readThenWriteRoundTripsAndWritesInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
            NDArray firstWeight = flat.layout().entries().get(0).array();
            try (NDManager scope = manager.newSubManager()) {
                NDArray original = flat.read(scope);
                assertThat(original.getShape()).isEqualTo(new Shape(flat.size()));
                float[] values = original.toFloatArray();
                // the flat vector is the concatenation of the parameters, in order
                float[] expected = new float[values.length];
                for (ParameterLayout.Entry entry : flat.layout().entries()) {
                    float[] part = entry.array().toFloatArray();
                    System.arraycopy(part, 0, expected, (int) entry.offset(), part.length);
                }
                assertThat(values).containsExactly(expected);

                NDArray ramp = scope.arange(0f, (float) flat.size()).div(100f);
                flat.write(ramp);
                assertThat(flat.read(scope).toFloatArray()).containsExactly(ramp.toFloatArray());
                // in place: the same array object now holds the ramp's first values
                assertThat(flat.layout().entries().get(0).array()).isSameAs(firstWeight);
                assertThat(firstWeight.toFloatArray()[1]).isEqualTo(0.01f);

                flat.write(original);
                assertThat(flat.read(scope).toFloatArray()).containsExactly(values);
            }
        }
    }

    @Test
    void readLeavesNothingOnTheModelManager() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
            int before = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    flat.write(flat.read(scope).add(1f));
                }
            }
            assertThat(manager.getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void flattenTakesTheLayoutsParametersFromNamedArraysAndNamesAMismatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
            // all parameters, running statistics included, as a snapshot holds them
            java.util.Map<String, NDArray> named = ParameterLayout.all(block).arraysByName();
            try (NDManager scope = manager.newSubManager()) {
                assertThat(flat.flatten(named, scope).toFloatArray()).containsExactly(flat.read(scope).toFloatArray());
                String first = flat.layout().entries().get(0).name();
                java.util.Map<String, NDArray> wrong = new java.util.LinkedHashMap<>(named);
                wrong.put(first, scope.zeros(new Shape(5)));
                assertThatThrownBy(() -> flat.flatten(wrong, scope)).hasMessageContaining(first).hasMessageContaining("(5)");
                wrong.remove(first);
                assertThatThrownBy(() -> flat.flatten(wrong, scope)).hasMessageContaining(first + " is missing");
            }
        }
    }

    @Test
    void writeRejectsAWrongLength() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
            assertThatThrownBy(() -> flat.write(manager.zeros(new Shape(flat.size() + 1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(" + flat.size() + ")");
        }
    }

    @Test
    void aViewWriteEqualsTheEngineWriteAndLandsInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
            NDArray firstWeight = flat.layout().entries().get(0).array();
            try (NDManager scope = manager.newSubManager()) {
                int d = Math.toIntExact(flat.size());
                for (int round = 0; round < 2; round++) { // the first view checks the memory, the second trusts it
                    float[] target = scope.randomNormal(new Shape(d)).toFloatArray();
                    FlatFloats view = flat.view();
                    view.put(0, target, 0, d);
                    assertThat(flat.read(scope).toFloatArray()).containsExactly(target);
                    assertThat(flat.layout().entries().get(0).array()).isSameAs(firstWeight);
                    int boundary = Math.toIntExact(flat.layout().entries().get(1).offset());
                    float[] across = new float[4];
                    view.get(boundary - 2, across, 0, 4);
                    assertThat(across).containsExactly(java.util.Arrays.copyOfRange(target, boundary - 2, boundary + 2));
                }
                assertThatThrownBy(() -> flat.view().put(1, new float[d], 0, d)).isInstanceOf(IndexOutOfBoundsException.class);
            }
        }
    }

    @Test
    void aViewNamesAParameterItDoesNotReach() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // a transposed array is a strided view: its byte buffer would be a copy, and a write through it lost
            NDArray strided = manager.arange(12f).reshape(3, 4).transpose();
            FlatParameters flat = new FlatParameters(ParameterLayout.trainable(new Holding(strided)));
            assertThatThrownBy(flat::view)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("held");
        }
    }

    /** A block that holds one given array as its only parameter, named {@code held}. */
    private static final class Holding extends ai.djl.nn.AbstractBlock {
        Holding(NDArray array) {
            ai.djl.nn.Parameter parameter = addParameter(ai.djl.nn.Parameter.builder()
                    .setName("held").setType(ai.djl.nn.Parameter.Type.WEIGHT).build());
            parameter.setArray(array);
        }

        @Override
        protected ai.djl.ndarray.NDList forwardInternal(ai.djl.training.ParameterStore store, ai.djl.ndarray.NDList inputs,
                boolean training, ai.djl.util.PairList<String, Object> params) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            throw new UnsupportedOperationException();
        }
    }
}
