package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The PyTorch names of the zoo's parameters; their shapes are compared with PyTorch itself in run's interop tests. */
class TorchNamesTest {

    static List<String> models() {
        return ModelZoo.names();
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyParameterHasOneKeyAndEveryKeyOneParameter(String model) {
        Block block = ModelZoo.build(model, 10, 3);
        List<String> djlNames = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            djlNames.add(p.getKey());
        }
        TorchNames names = ModelZoo.torchNames(model);
        assertThat(names.byDjlName().keySet()).containsExactlyElementsOf(djlNames);
        assertThat(names.byDjlName().values()).doesNotHaveDuplicates().allSatisfy(key -> assertThat(key).contains("."));
        for (String djl : djlNames) {
            String key = names.torchName(djl);
            assertThat(names.djlName(key)).contains(djl);
            assertThat(names.isBatchCounter(key)).isFalse();
        }
        long batchNorms = djlNames.stream().filter(n -> n.endsWith("_runningVar")).count();
        assertThat(names.batchCounters()).hasSize((int) batchNorms)
                .allSatisfy(key -> assertThat(key).endsWith(".num_batches_tracked"));
        assertThat(names.stateDictKeys()).hasSize(djlNames.size() + (int) batchNorms).doesNotHaveDuplicates();
    }

    @Test
    void theCnnIsNamedAsItsSequentialTwin() {
        TorchNames names = ModelZoo.torchNames("cnn");
        assertThat(names.stateDictKeys()).containsExactly(
                "0.weight", "0.bias",
                "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "4.weight", "4.bias",
                "5.weight", "5.bias", "5.running_mean", "5.running_var", "5.num_batches_tracked",
                "9.weight", "9.bias", "11.weight", "11.bias");
        assertThat(names.torchName("02BatchNorm_runningMean")).isEqualTo("1.running_mean");
        assertThat(names.djlName("11.bias")).contains("12Linear_bias");
        assertThat(names.djlName("1.num_batches_tracked")).isEmpty();
        assertThat(names.isBatchCounter("1.num_batches_tracked")).isTrue();
        assertThatThrownBy(() -> names.torchName("13Linear_weight")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the model has no parameter 13Linear_weight");
    }

    @Test
    void referenceNamesOfTheOtherArchitectures() {
        assertThat(ModelZoo.torchNames("VGG16BN").stateDictKeys()).startsWith("features.0.weight", "features.0.bias",
                "features.1.weight").contains("features.41.running_var", "classifier.1.weight", "classifier.6.bias");
        assertThat(ModelZoo.torchNames("PreResNet164").stateDictKeys()).startsWith("conv1.weight", "layer1.0.bn1.weight")
                .contains("layer1.0.downsample.0.weight", "layer3.17.conv3.weight", "bn.num_batches_tracked", "fc.bias");
        assertThat(ModelZoo.torchNames("resnet18").stateDictKeys()).startsWith("conv1.weight", "bn1.weight")
                .contains("layer2.0.downsample.1.running_mean", "layer4.1.bn2.bias", "fc.weight")
                .doesNotContain("layer1.0.downsample.0.weight");
        assertThat(ModelZoo.torchNames("WideResNet28x10").stateDictKeys()).contains("conv1.bias", "layer1.0.shortcut.0.weight",
                "layer3.3.conv2.bias", "bn1.running_var", "linear.weight");
        assertThat(ModelZoo.torchNames("WideResNet16x8").stateDictKeys()).contains("f.0_convolution.weight",
                "f.1_block.block.0.norm_act.0_normalization.weight", "f.2_block.block.0.downsample.weight",
                "f.3_block.block.2.block.6_convolution.weight", "f.8_classification.bias");
    }
}
