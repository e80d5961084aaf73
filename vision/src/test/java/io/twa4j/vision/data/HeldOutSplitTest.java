package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The held-out split: disjoint from training, covering the set, stratified by class, the same for the same seed. */
class HeldOutSplitTest {

    /** {@code n} 1×2×2 images whose first two pixels spell their index, labels uneven over 3 classes. */
    private static ImageSet numbered(int n) {
        byte[] pixels = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[i * 4] = (byte) (i & 0xFF);
            pixels[i * 4 + 1] = (byte) (i >> 8);
            labels[i] = i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2;
        }
        return new ImageSet("numbered", pixels, labels, 3, 1, 2, 2);
    }

    private static Set<Integer> ids(ImageSet set) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < set.size(); i++) {
            ids.add(set.pixel(i, 0, 0, 0) + 256 * set.pixel(i, 0, 0, 1));
        }
        return ids;
    }

    @Property(tries = 60)
    void theSplitIsDisjointCoveringStratifiedAndRepeatable(@ForAll @IntRange(min = 10, max = 700) int n,
            @ForAll @IntRange(min = 1, max = 99) int percent, @ForAll long seed) {
        ImageSet set = numbered(n);
        int count = Math.max(1, Math.min(n - 1, HeldOutSplit.count(n, percent / 100.0)));
        HeldOutSplit<ImageSet> split = HeldOutSplit.of(set, count, seed);
        assertThat(split.heldOut().size()).isEqualTo(count);
        assertThat(split.train().size()).isEqualTo(n - count);
        Set<Integer> held = ids(split.heldOut());
        Set<Integer> train = ids(split.train());
        assertThat(held).doesNotContainAnyElementsOf(train);
        assertThat(held.size() + train.size()).isEqualTo(n);
        int[] all = set.labelCounts();
        int[] heldCounts = split.heldOut().labelCounts();
        for (int c = 0; c < all.length; c++) {
            assertThat((double) heldCounts[c]).as("class %d", c).isCloseTo((double) count * all[c] / n, org.assertj.core.data.Offset.offset(1.0));
        }
        assertThat(ids(HeldOutSplit.of(set, count, seed).heldOut())).isEqualTo(held);
    }

    @Test
    void anotherSeedHoldsOutOtherImages() {
        ImageSet set = numbered(500);
        assertThat(ids(HeldOutSplit.of(set, 50, 1).heldOut())).isNotEqualTo(ids(HeldOutSplit.of(set, 50, 2).heldOut()));
    }

    @Test
    void bothPartsKeepTheOrderOfTheSet() {
        HeldOutSplit<ImageSet> split = HeldOutSplit.of(numbered(100), 20, 3);
        for (ImageSet part : new ImageSet[] {split.train(), split.heldOut()}) {
            for (int i = 1; i < part.size(); i++) {
                assertThat(part.pixel(i, 0, 0, 0) + 256 * part.pixel(i, 0, 0, 1))
                        .isGreaterThan(part.pixel(i - 1, 0, 0, 0) + 256 * part.pixel(i - 1, 0, 0, 1));
            }
        }
    }

    @Test
    void nothingOrEverythingCannotBeHeldOut() {
        assertThatThrownBy(() -> HeldOutSplit.of(numbered(10), 0, 1)).hasMessageContaining("cannot hold out 0 of its 10");
        assertThatThrownBy(() -> HeldOutSplit.of(numbered(10), 10, 1)).hasMessageContaining("some must be left for training");
    }
}
