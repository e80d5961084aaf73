package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelZooNamesTest {

    @Test
    void namesAreInDisplayOrder() {
        assertThat(ModelZoo.names())
                .containsExactly(
                        "VGG16",
                        "VGG16BN",
                        "VGG19BN",
                        "PreResNet20",
                        "PreResNet110",
                        "PreResNet164",
                        "WideResNet28x10",
                        "WideResNet16x8",
                        "resnet18",
                        "resnet50",
                        "cnn");
    }

    @ParameterizedTest
    @CsvSource({
        "vgg16, VGG16",
        "Vgg16Bn, VGG16BN",
        "VGG19BN, VGG19BN",
        "preresnet110, PreResNet110",
        "PRERESNET164, PreResNet164",
        "wideresnet28x10, WideResNet28x10",
        "WIDERESNET16X8, WideResNet16x8",
        "ResNet18, resnet18",
        "RESNET50, resnet50",
        "CNN, cnn",
        "' cnn ', cnn"
    })
    void namesAreCaseInsensitive(String given, String canonical) {
        assertThat(ModelZoo.canonicalName(given)).isEqualTo(canonical);
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> ModelZoo.canonicalName("resnet34"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown model 'resnet34'; valid models: VGG16, VGG16BN, VGG19BN,"
                                + " PreResNet20, PreResNet110, PreResNet164, WideResNet28x10, WideResNet16x8,"
                                + " resnet18, resnet50, cnn");
        assertThatThrownBy(() -> ModelZoo.build("vgg11", 10, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown model 'vgg11'; valid models: VGG16, ");
        assertThatThrownBy(() -> ModelZoo.defaultInputShape(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid models:");
    }

    @Test
    void buildRejectsNonsenseCounts() {
        assertThatThrownBy(() -> ModelZoo.build("cnn", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numClasses");
        assertThatThrownBy(() -> ModelZoo.build("cnn", 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputChannels");
        assertThatThrownBy(() -> ModelZoo.countTrainableParameters("cnn", 10, new Shape(28, 28)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(C, H, W)");
    }

    @Test
    void defaultInputShapes() {
        assertThat(ModelZoo.defaultInputShape("cnn")).isEqualTo(new Shape(1, 28, 28));
        assertThat(ModelZoo.defaultInputShape("resnet18")).isEqualTo(new Shape(3, 224, 224));
        assertThat(ModelZoo.defaultInputShape("ResNet50")).isEqualTo(new Shape(3, 224, 224));
        for (String cifar :
                new String[] {
                    "VGG16", "VGG16BN", "VGG19BN", "PreResNet20", "PreResNet110", "PreResNet164",
                    "WideResNet28x10", "WideResNet16x8"
                }) {
            assertThat(ModelZoo.defaultInputShape(cifar)).as(cifar).isEqualTo(new Shape(3, 32, 32));
        }
    }

    @Test
    void inputShapesTheModelsCannotTakeAreRefusedNamingModelAndShape() {
        ModelZoo.checkInputShape("vgg16bn", new Shape(3, 32, 32));
        ModelZoo.checkInputShape("cnn", new Shape(1, 28, 28));
        ModelZoo.checkInputShape("PreResNet20", new Shape(1, 28, 28));
        assertThatThrownBy(() -> ModelZoo.checkInputShape("vgg16", new Shape(1, 28, 28)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VGG16 needs 32x32 images, not 1x28x28");
        assertThatThrownBy(() -> ModelZoo.checkInputShape("cnn", new Shape(1, 28, 3)))
                .hasMessage("cnn needs images of at least 4x4, not 1x28x3");
        assertThatThrownBy(() -> ModelZoo.checkInputShape("cnn", new Shape(28, 28)))
                .hasMessageContaining("(C, H, W)");
        assertThatThrownBy(() -> ModelZoo.checkInputShape("alexnet", new Shape(3, 32, 32)))
                .hasMessageStartingWith("unknown model 'alexnet'");
    }
}
