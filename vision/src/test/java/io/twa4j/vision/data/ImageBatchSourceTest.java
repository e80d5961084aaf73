package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ImageBatchSourceTest {

    /** 23 images of 2x3x3 whose pixels all equal their index. */
    private final ImageSet set = TestData.indexedSet(23, 5, 2, 3, 3);

    @AfterEach
    void noProducerThreadsLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!producerThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(producerThreads()).isEmpty();
    }

    private static List<String> producerThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("twa4j-batches-") && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private static List<HostBatch> all(BatchSource source, int epoch) {
        List<HostBatch> out = new ArrayList<>();
        try (BatchSource.BatchIterator it = source.epoch(epoch)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }

    /** The image index each example of a batch came from (pixel value of an indexed set). */
    private static int[] indices(HostBatch batch) {
        int per = (int) (batch.shape().size() / batch.size());
        int[] out = new int[batch.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.round(batch.features()[k * per] * 255f);
        }
        return out;
    }

    private static int[] order(List<HostBatch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(indices(b))).toArray();
    }

    @Test
    void shapesAndPartialLastBatch() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(10).build();
        assertThat(source.size()).isEqualTo(23);
        assertThat(source.batchesPerEpoch()).isEqualTo(3);
        assertThat(source.numClasses()).isEqualTo(5);

        List<HostBatch> batches = all(source, 0);

        assertThat(batches).hasSize(3);
        assertThat(batches.get(0).shape().getShape()).containsExactly(10, 2, 3, 3);
        assertThat(batches.get(1).shape().getShape()).containsExactly(10, 2, 3, 3);
        assertThat(batches.get(2).shape().getShape()).containsExactly(3, 2, 3, 3);
        assertThat(batches.get(2).features()).hasSize(3 * 18);
        assertThat(batches.get(2).labels()).hasSize(3);
    }

    @Test
    void everyExampleExactlyOncePerEpochWithItsLabel() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(4).optSeed(9).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            List<HostBatch> batches = all(source, epoch);
            int[] seen = order(batches);
            assertThat(seen).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 23).toArray());
            assertThat(seen).containsExactly(source.order(epoch));
            int[] labels = batches.stream().flatMapToInt(b -> Arrays.stream(b.labels())).toArray();
            for (int k = 0; k < seen.length; k++) {
                assertThat(labels[k]).isEqualTo(seen[k] % 5);
            }
        }
    }

    @Test
    void withoutShuffleTheOrderIsStored() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(7).optShuffle(false).build();
        assertThat(order(all(source, 3))).containsExactly(java.util.stream.IntStream.range(0, 23).toArray());
    }

    @Test
    void sameSeedSameBatchesDifferentEpochsDifferentOrders() {
        ImageSet random = TestData.randomSet(4, 300, 10, 3, 8, 8);
        ImageBatchSource a = ImageBatchSource.builder(random).setBatchSize(32).optAugment(true).optSeed(1).build();
        ImageBatchSource b = ImageBatchSource.builder(random).setBatchSize(32).optAugment(true).optSeed(1).optPrefetch(1).build();
        ImageBatchSource c = ImageBatchSource.builder(random).setBatchSize(32).optAugment(true).optSeed(2).build();

        List<HostBatch> a0 = all(a, 0), b0 = all(b, 0), c0 = all(c, 0), a1 = all(a, 1);

        for (int i = 0; i < a0.size(); i++) {
            assertThat(a0.get(i).features()).containsExactly(b0.get(i).features());
            assertThat(a0.get(i).labels()).containsExactly(b0.get(i).labels());
        }
        assertThat(a0.get(0).features()).isNotEqualTo(c0.get(0).features());
        assertThat(a.order(0)).isNotEqualTo(a.order(1));
        assertThat(a.order(0)).isNotEqualTo(c.order(0));
        assertThat(a0.get(0).features()).isNotEqualTo(a1.get(0).features());
        // a second pass over the same epoch repeats it exactly
        List<HostBatch> again = all(a, 1);
        for (int i = 0; i < a1.size(); i++) {
            assertThat(again.get(i).features()).containsExactly(a1.get(i).features());
        }
    }

    @Test
    void augmentationMatchesAugmentationWithTheBatchSeed() {
        ImageSet random = TestData.randomSet(6, 10, 10, 3, 8, 8);
        ImageBatchSource plain = ImageBatchSource.builder(random).setBatchSize(10).optShuffle(false).build();
        ImageBatchSource aug = ImageBatchSource.builder(random).setBatchSize(10).optShuffle(false).optAugment(true).build();
        float[] p = all(plain, 0).get(0).features();
        float[] q = all(aug, 0).get(0).features();
        // augmentation changes the pixels, and every value stays a pixel value or zero padding
        assertThat(q).isNotEqualTo(p);
        for (float v : q) {
            assertThat(v * 255f - Math.round(v * 255f)).isCloseTo(0f, within(1e-3f));
        }
    }

    @Test
    void normalisationValues() {
        byte[] px = {0, (byte) 255, 51, (byte) 128}; // 2 images of 2x1x1
        ImageSet tiny = new ImageSet("tiny", px, new int[] {0, 1}, 2, 2, 1, 1);
        Normalization norm = Normalization.of(new float[] {0.5f, 0.25f}, new float[] {0.5f, 0.125f});
        ImageBatchSource source = ImageBatchSource.builder(tiny).setBatchSize(2).optShuffle(false).optNormalization(norm).build();

        float[] f = all(source, 0).get(0).features();

        assertThat(f[0]).isCloseTo((0f - 0.5f) / 0.5f, within(1e-6f));
        assertThat(f[1]).isCloseTo((1f - 0.25f) / 0.125f, within(1e-5f));
        assertThat(f[2]).isCloseTo((51f / 255f - 0.5f) / 0.5f, within(1e-6f));
        assertThat(f[3]).isCloseTo((128f / 255f - 0.25f) / 0.125f, within(1e-5f));
    }

    @Test
    void paddingBecomesNormalisedZero() {
        byte[] px = new byte[3 * 4 * 4];
        Arrays.fill(px, (byte) 200);
        ImageSet one = new ImageSet("one", px, new int[] {0}, 1, 3, 4, 4);
        // padding 4 > image size: most crops contain padding; find a padded value per channel
        ImageBatchSource source = ImageBatchSource.builder(one).setBatchSize(1).optAugment(true)
                .optNormalization(Normalization.CIFAR).build();
        for (int epoch = 0; epoch < 5; epoch++) {
            float[] f = all(source, epoch).get(0).features();
            for (int c = 0; c < 3; c++) {
                float pad = -Normalization.CIFAR.mean(c) / Normalization.CIFAR.std(c);
                float img = (200f / 255f - Normalization.CIFAR.mean(c)) / Normalization.CIFAR.std(c);
                for (int p = 0; p < 16; p++) {
                    assertThat(f[c * 16 + p]).satisfiesAnyOf(
                            v -> assertThat(v).isCloseTo(pad, within(1e-5f)),
                            v -> assertThat(v).isCloseTo(img, within(1e-5f)));
                }
            }
        }
    }

    @Test
    void waitNanosCountsBlockingInNext() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(5)
                .beforeBatch(b -> sleep(20)).build();
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            assertThat(it.waitNanos()).isZero();
            while (it.hasNext()) {
                it.next();
            }
            // five batches of >= 20 ms each were waited for, minus what overlapped: at least 50 ms
            assertThat(it.waitNanos()).isGreaterThan(Duration.ofMillis(50).toNanos());
        }
    }

    @Test
    void closeStopsAProducerBlockedOnAFullQueue() {
        ImageSet big = TestData.randomSet(2, 2000, 10, 1, 4, 4);
        ImageBatchSource source = ImageBatchSource.builder(big).setBatchSize(2).optPrefetch(2).build();
        PrefetchIterator it = (PrefetchIterator) source.epoch(0);
        it.next();
        long start = System.nanoTime();
        it.close();
        assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(2).toNanos());
        assertThat(it.producerAlive()).isFalse();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
        it.close(); // idempotent
    }

    @Test
    void closeStopsAProducerInTheMiddleOfABatch() throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(1).beforeBatch(b -> {
            if (b == 3) {
                inside.countDown();
                sleep(60_000);
            }
        }).build();
        PrefetchIterator it = (PrefetchIterator) source.epoch(0);
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        it.close();
        assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(2).toNanos());
        assertThat(it.producerAlive()).isFalse();
    }

    @Test
    void producerErrorSurfacesFromNextAfterTheBatchesBeforeIt() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(5).beforeBatch(b -> {
            if (b == 2) {
                throw new IllegalStateException("boom in batch 2");
            }
        }).build();
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            assertThat(it.next().size()).isEqualTo(5);
            assertThat(it.next().size()).isEqualTo(5);
            assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessage("boom in batch 2");
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).hasMessage("boom in batch 2");
        }
    }

    @Test
    void producerErrorIsWrappedWhenChecked() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(5).beforeBatch(b -> {
            throw sneaky(new java.io.IOException("disk gone"));
        }).build();
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            assertThatThrownBy(it::next)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("IOException: disk gone")
                    .hasCauseInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void nextAfterTheLastBatchThrows() {
        ImageBatchSource source = ImageBatchSource.builder(set).setBatchSize(23).build();
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            it.next();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
        }
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> ImageBatchSource.builder(set).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size");
        assertThatThrownBy(() -> ImageBatchSource.builder(set).setBatchSize(4).optPrefetch(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefetch");
        assertThatThrownBy(() -> ImageBatchSource.builder(set).setBatchSize(4).optNormalization(Normalization.CIFAR).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 channels");
        assertThatThrownBy(() -> ImageBatchSource.builder(set).setBatchSize(4).build().epoch(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
