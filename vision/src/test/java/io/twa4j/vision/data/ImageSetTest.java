package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageSetTest {

    @Test
    void validatesSizesAndLabels() {
        assertThatThrownBy(() -> new ImageSet("x", new byte[10], new int[] {0, 1}, 2, 1, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 8 bytes, got 10");
        assertThatThrownBy(() -> new ImageSet("x", new byte[8], new int[] {0, 2}, 2, 1, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2 of image 1");
        assertThatThrownBy(() -> new ImageSet("x", new byte[0], new int[0], 2, 0, 2, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitAndSliceKeepTheFirstImages() {
        ImageSet set = TestData.indexedSet(10, 3, 2, 2, 2);
        ImageSet first = set.limit(4);
        assertThat(first.size()).isEqualTo(4);
        assertThat(first.labels()).containsExactly(0, 1, 2, 0);
        assertThat(first.pixel(3, 1, 1, 1)).isEqualTo(3);
        assertThat(set.limit(100)).isSameAs(set);
        ImageSet mid = set.slice(5, 8, "mid");
        assertThat(mid.name()).isEqualTo("mid");
        assertThat(mid.pixel(0, 0, 0, 0)).isEqualTo(5);
        assertThatThrownBy(() -> set.limit(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessorsCopy() {
        ImageSet set = TestData.indexedSet(3, 3, 1, 2, 2);
        set.labels()[0] = 2;
        set.image(0)[0] = 9;
        assertThat(set.label(0)).isZero();
        assertThat(set.pixel(0, 0, 0, 0)).isZero();
        assertThat(set.labelCounts()).containsExactly(1, 1, 1);
    }
}
