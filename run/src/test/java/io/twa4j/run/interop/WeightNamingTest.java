package io.twa4j.run.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.run.RunError;
import io.twa4j.vision.models.ModelZoo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading weights in either naming into the cnn, and what is refused. */
class WeightNamingTest {

    private NDManager manager;
    private Block block;
    private WeightNaming naming;

    @BeforeEach
    void cnn() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
        block = ModelZoo.build("cnn", 10, 1);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        naming = WeightNaming.of("cnn", block);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Copies of the model's parameters plus 1, in twa4j's names. */
    private Map<String, NDArray> twa4jTensors() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        ParameterLayout.all(block).arraysByName().forEach((name, a) -> t.put(name, a.add(1f)));
        return t;
    }

    /** The same under PyTorch's names, with the counters, each key after {@code prefix}. */
    private Map<String, NDArray> torchTensors(String prefix) {
        Map<String, NDArray> twa4j = twa4jTensors();
        Map<String, NDArray> t = new LinkedHashMap<>();
        naming.torchNames().byDjlName().forEach((djl, key) -> t.put(prefix + key, twa4j.get(djl)));
        naming.torchNames().batchCounters().forEach(key -> t.put(prefix + key, manager.create(42L)));
        return t;
    }

    @Test
    void twa4jNamesPassThroughAndPyTorchNamesAreTranslatedWithOrWithoutModulePrefix() {
        Map<String, NDArray> twa4j = twa4jTensors();
        assertThat(naming.naming(twa4j.keySet())).isEqualTo(WeightNaming.Naming.TWA4J);
        assertThat(naming.toModel(twa4j, "m: ")).containsExactlyEntriesOf(twa4j);
        for (String prefix : new String[] {"", "module."}) {
            Map<String, NDArray> torch = torchTensors(prefix);
            assertThat(naming.naming(torch.keySet())).isEqualTo(WeightNaming.Naming.PYTORCH);
            Map<String, NDArray> read = naming.toModel(torch, "m: ");
            assertThat(read.keySet()).containsExactlyElementsOf(twa4j.keySet());
            assertThat(read.get("02BatchNorm_runningVar").toFloatArray()).isEqualTo(torch.get(prefix + "1.running_var").toFloatArray());
            assertThat(read.get("12Linear_bias")).isSameAs(torch.get(prefix + "11.bias"));
        }
    }

    @Test
    void halfAndDoublePrecisionBecomeFloat32AndIntegersAreRefused() {
        Map<String, NDArray> torch = torchTensors("");
        NDArray weight = torch.get("0.weight");
        torch.put("0.weight", weight.toType(DataType.FLOAT16, true));
        torch.put("0.bias", torch.get("0.bias").toType(DataType.FLOAT64, true));
        Map<String, NDArray> read = naming.toModel(torch, "m: ");
        assertThat(read.get("01Conv2d_weight").getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(read.get("01Conv2d_bias").getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(read.get("01Conv2d_weight").sub(weight).abs().max().getFloat()).isLessThan(2e-3f);

        torch.put("0.bias", torch.get("0.bias").toType(DataType.INT64, true));
        assertThatThrownBy(() -> naming.toModel(torch, "w.safetensors does not match model cnn: ")).isInstanceOf(RunError.class)
                .hasMessage("w.safetensors does not match model cnn: key 0.bias (a PyTorch state_dict key) holds int64 values;"
                        + " parameters must be floating point (float32; float16 and float64 are converted, bfloat16 is widened when read)");
    }

    @Test
    void missingUnknownAndMisshapenKeysAreNamedInTheFilesOwnNaming() {
        Map<String, NDArray> missing = torchTensors("module.");
        missing.remove("module.5.running_mean");
        assertThatThrownBy(() -> naming.toModel(missing, "f: ")).isInstanceOf(RunError.class)
                .hasMessage("f: key module.5.running_mean (a PyTorch state_dict key) is missing");

        Map<String, NDArray> misshapen = torchTensors("");
        misshapen.put("9.weight", manager.zeros(new Shape(128, 3000)));
        assertThatThrownBy(() -> naming.toModel(misshapen, "f: "))
                .hasMessage("f: key 9.weight (a PyTorch state_dict key) has shape (128, 3000), the model needs (128, 3136)");

        Map<String, NDArray> unknown = torchTensors("");
        unknown.put("12.weight", manager.zeros(new Shape(3)));
        assertThatThrownBy(() -> naming.toModel(unknown, "f: ")).hasMessage("f: it has key 12.weight, which is neither a twa4j"
                + " name of the model nor a key of its PyTorch state_dict");
        Map<String, NDArray> strayCounter = torchTensors("");
        strayCounter.put("2.num_batches_tracked", manager.create(1L));
        assertThatThrownBy(() -> naming.toModel(strayCounter, "f: ")).hasMessageContaining("it has key 2.num_batches_tracked");

        Map<String, NDArray> twa4j = twa4jTensors();
        twa4j.put("13Linear_weight", manager.zeros(new Shape(1)));
        assertThatThrownBy(() -> naming.toModel(twa4j, "f: ")).hasMessage("f: it has parameter 13Linear_weight that the model lacks");
        twa4j.remove("13Linear_weight");
        twa4j.remove("05Conv2d_weight");
        assertThatThrownBy(() -> naming.toModel(twa4j, "f: ")).hasMessage("f: parameter 05Conv2d_weight is missing");
    }

    @Test
    void fixedValuesReplaceWhateverTheFileHoldsForThem() {
        Map<String, NDArray> torch = torchTensors("");
        torch.put("11.weight", manager.zeros(new Shape(100, 128))); // another head
        NDArray fresh = manager.ones(new Shape(10, 128));
        Map<String, NDArray> read = naming.toModel(torch, Map.of("12Linear_weight", fresh), "f: ");
        assertThat(read.get("12Linear_weight")).isSameAs(fresh);
    }

    @Test
    void toPyTorchHasEveryStateDictKeyAndInt64ScalarCounters() {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> out = naming.toPyTorch(scope);
            assertThat(out.keySet()).containsExactlyElementsOf(naming.torchNames().stateDictKeys());
            NDArray counter = out.get("5.num_batches_tracked");
            assertThat(counter.getDataType()).isEqualTo(DataType.INT64);
            assertThat(counter.getShape()).isEqualTo(new Shape());
            assertThat(counter.toLongArray()).containsExactly(0L);
            assertThat(out.get("1.running_mean")).isSameAs(ParameterLayout.all(block).arraysByName().get("02BatchNorm_runningMean"));
        }
    }
}
