package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads the real Fashion-MNIST where the Debian package dataset-fashion-mnist is installed. */
class FashionMnistTest {

    private static final Path DIR = Datasets.byName("fashion-mnist").defaultDir();

    @BeforeAll
    static void needsTheDataset() {
        assumeTrue(Files.isDirectory(DIR), "Fashion-MNIST not installed at " + DIR
                + " (apt-get install dataset-fashion-mnist)");
    }

    @Test
    void trainAndTestSplits() {
        ImageSet train = Datasets.load("fashion-mnist", null, true);
        ImageSet test = Datasets.load("fashion-mnist", null, false);

        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(train.imageShape().getShape()).containsExactly(1, 28, 28);
        assertThat(train.labelCounts()).containsOnly(6000);
        assertThat(test.labelCounts()).containsOnly(1000);
        // the first training image is an ankle boot (class 9), the first test image too
        assertThat(train.label(0)).isEqualTo(9);
        assertThat(test.label(0)).isEqualTo(9);
        // the published normalisation matches the data
        Normalization measured = Normalization.compute(train);
        assertThat(measured.mean(0)).isCloseTo(Normalization.FASHION_MNIST.mean(0), org.assertj.core.api.Assertions.within(0.001f));
        assertThat(measured.std(0)).isCloseTo(Normalization.FASHION_MNIST.std(0), org.assertj.core.api.Assertions.within(0.001f));
    }
}
