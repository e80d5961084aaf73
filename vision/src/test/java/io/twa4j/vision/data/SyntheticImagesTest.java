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
        assertThat(nearestMeanAccuracy(SyntheticImages.Style.EASY)).isGreaterThan(0.5);
    }

    /** The hard set is still learnable, but far from perfectly: overlapping classes, noise and random labels. */
    @Test
    void theHardSetIsLearnableButNotToFullAccuracy() {
        double easy = nearestMeanAccuracy(SyntheticImages.Style.EASY);
        double hard = nearestMeanAccuracy(SyntheticImages.Style.HARD);
        assertThat(hard).isBetween(0.2, 0.85);
        assertThat(easy - hard).isGreaterThan(0.1);
        ImageSet noisy = SyntheticImages.generate(11, 2000, 10, 1, 28, 28, SyntheticImages.Style.HARD);
        ImageSet clean = SyntheticImages.generate(11, 2000, 10, 1, 28, 28, new SyntheticImages.Style(0.7, 0.45, 0));
        int relabelled = 0;
        for (int i = 0; i < noisy.size(); i++) {
            relabelled += noisy.label(i) != clean.label(i) ? 1 : 0;
        }
        // a tenth drawn at random, of which a tenth land on the class they had
        assertThat(relabelled / 2000.0).isBetween(0.06, 0.12);
    }

    private static double nearestMeanAccuracy(SyntheticImages.Style style) {
        ImageSet all = SyntheticImages.generate(11, 1200, 10, 1, 28, 28, style);
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
        return correct / (double) test.size();
    }
}
