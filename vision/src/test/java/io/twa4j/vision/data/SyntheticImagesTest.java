package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyntheticImagesTest {

    @Test
    void sameSeedSameBytesDifferentSeedDifferent() {
        ImageSet a = SyntheticImages.generate(7, 50, 10, 3, 8, 8);
        ImageSet b = SyntheticImages.generate(7, 50, 10, 3, 8, 8);
        ImageSet c = SyntheticImages.generate(8, 50, 10, 3, 8, 8);
        for (int i = 0; i < 50; i++) {
            assertThat(a.image(i)).containsExactly(b.image(i));
        }
        assertThat(a.labels()).containsExactly(b.labels());
        assertThat(a.image(0)).isNotEqualTo(c.image(0));
    }

    @Test
    void aLongerSetExtendsAShorterOne() {
        ImageSet shortSet = SyntheticImages.generate(3, 20, 4, 1, 6, 6);
        ImageSet longSet = SyntheticImages.generate(3, 30, 4, 1, 6, 6);
        for (int i = 0; i < 20; i++) {
            assertThat(longSet.image(i)).containsExactly(shortSet.image(i));
            assertThat(longSet.label(i)).isEqualTo(shortSet.label(i));
        }
    }

    @Test
    void everyClassAppears() {
        int[] counts = SyntheticImages.generate(1, 1000, 10, 1, 28, 28).labelCounts();
        for (int count : counts) {
            assertThat(count).isBetween(60, 140);
        }
    }

    /** A nearest-class-mean classifier fitted on one part must beat chance clearly on another. */
    @Test
    void learnableFromSamplesOfTheSamePrototypes() {
        ImageSet all = SyntheticImages.generate(11, 1200, 10, 1, 28, 28);
        ImageSet train = all.slice(0, 1000);
        ImageSet test = all.slice(1000, 1200);
        int per = train.imageSize();
        double[][] means = new double[10][per];
        int[] counts = train.labelCounts();
        for (int i = 0; i < train.size(); i++) {
            byte[] img = train.image(i);
            for (int p = 0; p < per; p++) {
                means[train.label(i)][p] += (img[p] & 0xFF) / (double) counts[train.label(i)];
            }
        }
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            byte[] img = test.image(i);
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int k = 0; k < 10; k++) {
                double d = 0;
                for (int p = 0; p < per; p++) {
                    double diff = (img[p] & 0xFF) - means[k][p];
                    d += diff * diff;
                }
                if (d < bestDist) {
                    bestDist = d;
                    best = k;
                }
            }
            correct += best == test.label(i) ? 1 : 0;
        }
        assertThat(correct / (double) test.size()).isGreaterThan(0.5);
    }
}
