package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void namesAreCaseInsensitive() {
        assertThat(Datasets.canonicalName("Fashion-MNIST")).isEqualTo("fashion-mnist");
        assertThat(Datasets.canonicalName("CIFAR10")).isEqualTo("cifar10");
        assertThat(Datasets.canonicalName("cifar-100")).isEqualTo("cifar100");
        assertThat(Datasets.canonicalName(" Synthetic ")).isEqualTo("synthetic");
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> Datasets.load("imagenet", null, true))
                .isInstanceOf(DatasetException.class)
                .hasMessage("unknown dataset 'imagenet'; valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic");
    }

    @Test
    void defaultsAndShapes() {
        assertThat(Datasets.defaultDir("fashion-mnist")).isEqualTo(Path.of("/usr/share/datasets/fashion-mnist"));
        assertThat(Datasets.defaultDir("mnist")).isEqualTo(Path.of("/usr/share/datasets/mnist"));
        assertThat(Datasets.defaultDir("cifar10")).isEqualTo(Path.of("data/cifar-10-batches-bin"));
        assertThat(Datasets.defaultDir("cifar100")).isEqualTo(Path.of("data/cifar-100-binary"));
        assertThat(Datasets.defaultDir("synthetic")).isNull();
        assertThat(Datasets.numClasses("cifar100")).isEqualTo(100);
        assertThat(Datasets.numClasses("mnist")).isEqualTo(10);
        assertThat(Datasets.imageShape("cifar10").getShape()).containsExactly(3, 32, 32);
        assertThat(Datasets.imageShape("fashion-mnist").getShape()).containsExactly(1, 28, 28);
    }

    @Test
    void normalisationPerDataset() {
        assertThat(Datasets.normalization("cifar10")).isSameAs(Normalization.CIFAR);
        assertThat(Datasets.normalization("cifar100")).isSameAs(Normalization.CIFAR);
        assertThat(Normalization.CIFAR.mean(2)).isEqualTo(0.4465f);
        assertThat(Normalization.CIFAR.std(0)).isEqualTo(0.2023f);
        assertThat(Datasets.normalization("fashion-mnist").mean(0)).isEqualTo(0.2860f);
        assertThat(Datasets.normalization("fashion-mnist").std(0)).isEqualTo(0.3530f);
        assertThat(Datasets.normalization("mnist").mean(0)).isEqualTo(0.1307f);
        assertThat(Datasets.normalization("mnist").std(0)).isEqualTo(0.3081f);
    }

    @Test
    void missingFashionMnistNamesFilesDirectoryAndSource() {
        Path absent = dir.resolve("nothing-here");
        assertThatThrownBy(() -> Datasets.load("fashion-mnist", absent, true))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("train-labels-idx1-ubyte")
                .hasMessageContaining(absent.toString())
                .hasMessageContaining("no such directory")
                .hasMessageContaining("dataset-fashion-mnist")
                .hasMessageContaining("https://github.com/zalandoresearch/fashion-mnist")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> Datasets.load("mnist", dir, false))
                .hasMessageContaining("t10k-images-idx3-ubyte")
                .hasMessageContaining("in " + dir)
                .hasMessageContaining("yann.lecun.com");
    }

    @Test
    void missingCifarNamesFilesDirectoryAndSource() {
        assertThatThrownBy(() -> Datasets.load("cifar10", dir, true))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("data_batch_1.bin .. data_batch_5.bin")
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("cifar-10-binary.tar.gz")
                .hasMessageContaining("https://www.cs.toronto.edu/~kriz/cifar.html");
        assertThatThrownBy(() -> Datasets.load("cifar100", dir, false))
                .hasMessageContaining("test.bin")
                .hasMessageContaining("cifar-100-binary.tar.gz");
    }

    @Test
    void loadsIdxWithOrWithoutGzipFromAGivenDirectory() {
        byte[] px = TestData.randomBytes(1, 4 * 28 * 28);
        int[] labels = {1, 2, 3, 9};
        // training split gzip, test split raw
        TestData.write(dir.resolve("train-images-idx3-ubyte.gz"), TestData.gzip(TestData.idxImages(4, 28, 28, px)));
        TestData.write(dir.resolve("train-labels-idx1-ubyte.gz"), TestData.gzip(TestData.idxLabels(labels)));
        TestData.write(dir.resolve("t10k-images-idx3-ubyte"), TestData.idxImages(4, 28, 28, px));
        TestData.write(dir.resolve("t10k-labels-idx1-ubyte"), TestData.idxLabels(labels));

        ImageSet train = Datasets.load("MNIST", dir, true);
        ImageSet test = Datasets.load("mnist", dir, false);

        assertThat(train.name()).isEqualTo("mnist/train");
        assertThat(test.name()).isEqualTo("mnist/test");
        assertThat(train.labels()).containsExactly(labels);
        assertThat(test.image(2)).containsExactly(Arrays.copyOfRange(px, 2 * 784, 3 * 784));
    }

    @Test
    void idxImagesOfAnotherSizeAreRefusedNamingTheFile() {
        TestData.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(2, 4, 3, new byte[24]));
        TestData.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(new int[] {1, 2}));
        assertThatThrownBy(() -> Datasets.load("fashion-mnist", dir, true))
                .isInstanceOf(DatasetException.class)
                .hasMessage(dir.resolve("train-images-idx3-ubyte") + ": images are 4x3, but fashion-mnist/train images are 28x28");
    }

    @Test
    void loadsCifarFromTheDirectoryOrItsUnpackedSubdirectory() {
        byte[] rec = new byte[CifarReader.CIFAR100_RECORD];
        rec[0] = 4;
        rec[1] = 42;
        TestData.write(dir.resolve("cifar-100-binary/test.bin"), rec);
        ImageSet test = Datasets.load("cifar100", dir, false);
        assertThat(test.labels()).containsExactly(42);
        assertThat(test.name()).isEqualTo("cifar100/test");

        byte[] rec10 = new byte[CifarReader.CIFAR10_RECORD];
        for (int i = 1; i <= 5; i++) {
            rec10[0] = (byte) i;
            TestData.write(dir.resolve("c10/data_batch_" + i + ".bin"), rec10);
        }
        assertThat(Datasets.load("cifar10", dir.resolve("c10"), true).labels()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void syntheticSplitsAreDistinctAndFixed() {
        ImageSet train = Datasets.load("synthetic", null, true);
        ImageSet test = Datasets.load("synthetic", null, false);
        assertThat(train.size()).isEqualTo(Datasets.SYNTHETIC_TRAIN);
        assertThat(test.size()).isEqualTo(Datasets.SYNTHETIC_TEST);
        assertThat(train.imageShape().getShape()).containsExactly(1, 28, 28);
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(train.image(0)).isNotEqualTo(test.image(0));
        assertThat(Datasets.load("synthetic", null, false).image(5)).containsExactly(test.image(5));
        // the stated normalisation is close to the measured one
        Normalization measured = Normalization.compute(train);
        assertThat(measured.mean(0)).isBetween(0.45f, 0.55f);
        assertThat(measured.std(0)).isBetween(0.2f, 0.3f);
    }
}
