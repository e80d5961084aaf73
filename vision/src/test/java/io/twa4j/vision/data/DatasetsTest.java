package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
                .hasMessage("unknown dataset 'imagenet'; valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, imagefolder");
    }

    @Test
    void byNameFindsTheEntryAndRefusesUnknownNames() {
        assertThat(Datasets.byName("CIFAR_100")).isSameAs(Datasets.ALL.get(3));
        assertThat(Datasets.byName("fashionmnist").name()).isEqualTo(Datasets.FASHION_MNIST);
        assertThatThrownBy(() -> Datasets.byName("svhn"))
                .isInstanceOf(DatasetException.class)
                .hasMessage("unknown dataset 'svhn'; valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, imagefolder");
        assertThatThrownBy(() -> Datasets.byName(null))
                .hasMessage("unknown dataset 'null'; valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, imagefolder");
    }

    @Test
    void imageFolderIsANameWithoutAFixedEntry() {
        assertThat(Datasets.canonicalName("Image_Folder")).isEqualTo(Datasets.IMAGEFOLDER);
        assertThat(Datasets.isImageFolder("imagefolder")).isTrue();
        assertThat(Datasets.isImageFolder("cifar10")).isFalse();
        assertThatThrownBy(() -> Datasets.byName("imagefolder")).isInstanceOf(DatasetException.class)
                .hasMessageContaining("no fixed image shape");
    }

    @Test
    void registryIsInTheListedOrder() {
        assertThat(Datasets.ALL).extracting(Dataset::name)
                .containsExactly("fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic", "synthetic-hard");
        assertThat(Datasets.NAMES).containsExactly("fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic", "synthetic-hard");
    }

    @Test
    void defaultsAndShapes() {
        assertThat(Datasets.byName("fashion-mnist").defaultDir()).isEqualTo(Path.of("/usr/share/datasets/fashion-mnist"));
        assertThat(Datasets.byName("mnist").defaultDir()).isEqualTo(Path.of("/usr/share/datasets/mnist"));
        assertThat(Datasets.byName("cifar10").defaultDir()).isEqualTo(Path.of("data/cifar-10-batches-bin"));
        assertThat(Datasets.byName("cifar100").defaultDir()).isEqualTo(Path.of("data/cifar-100-binary"));
        assertThat(Datasets.byName("synthetic").defaultDir()).isNull();
        for (Dataset d : Datasets.ALL) {
            boolean cifar = d.name().startsWith("cifar");
            assertThat(d.classes()).as(d.name()).isEqualTo(d.name().equals("cifar100") ? 100 : 10);
            assertThat(d.imageShape().getShape()).as(d.name())
                    .containsExactly(cifar ? new long[] {3, 32, 32} : new long[] {1, 28, 28});
            assertThat(d.augmentByDefault()).as(d.name()).isEqualTo(cifar);
        }
    }

    @Test
    void normalisationPerDataset() {
        Normalization cifar = Normalization.of(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f});
        assertThat(Datasets.byName("cifar10").normalization()).isSameAs(Normalization.CIFAR).isEqualTo(cifar);
        assertThat(Datasets.byName("cifar100").normalization()).isSameAs(Normalization.CIFAR);
        assertThat(Datasets.byName("fashion-mnist").normalization()).isEqualTo(Normalization.of(0.2860f, 0.3530f));
        assertThat(Datasets.byName("mnist").normalization()).isEqualTo(Normalization.of(0.1307f, 0.3081f));
        assertThat(Datasets.byName("synthetic").normalization()).isEqualTo(Normalization.of(0.5f, 0.25f));
    }

    @Test
    void anEntryCanBeAddedInAnotherRegistry() {
        Dataset tiny = new Dataset("tiny-set", new Shape(2, 4, 4), 3, Normalization.NONE, null, true,
                (d, dir, train) -> SyntheticImages.generate(1, train ? 6 : 3, d.classes(), 2, 4, 4)
                        .slice(0, train ? 6 : 3, d.split(train)));
        List<Dataset> registry = new ArrayList<>(Datasets.ALL);
        registry.add(tiny);

        Dataset found = Datasets.byName("TINY_SET", registry);
        assertThat(found).isSameAs(tiny);
        ImageSet test = found.load(null, false);
        assertThat(test.name()).isEqualTo("tiny-set/test");
        assertThat(test.size()).isEqualTo(3);
        assertThat(test.imageShape().getShape()).containsExactly(2, 4, 4);
        assertThatThrownBy(() -> Datasets.byName("tiny-set"))
                .hasMessageEndingWith("valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, imagefolder");
        assertThatThrownBy(() -> Datasets.byName("x", registry))
                .hasMessage("unknown dataset 'x'; valid names: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, tiny-set");
    }

    @Test
    void entriesAreCheckedAndTheirShapeCannotBeChanged() {
        Dataset.Reader none = (d, dir, train) -> null;
        assertThatThrownBy(() -> new Dataset("x", new Shape(28, 28), 10, Normalization.NONE, null, false, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(C, H, W)");
        assertThatThrownBy(() -> new Dataset("x", new Shape(1, 28, 28), 10, Normalization.CIFAR, null, false, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 channels");
        assertThatThrownBy(() -> new Dataset("x", new Shape(1, 28, 28), 1, Normalization.NONE, null, false, none))
                .isInstanceOf(IllegalArgumentException.class);
        Dataset cifar = Datasets.byName("cifar10");
        cifar.imageShape().getShape()[0] = 7;
        assertThat(cifar.imageShape().getShape()).containsExactly(3, 32, 32);
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
