package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    private static final int C = 3, H = 6, W = 5;

    /** Pixel (c, y, x) = 1 + c * 60 + y * 8 + x: never 0, so padding is recognisable. */
    private static byte[] image() {
        byte[] img = new byte[C * H * W];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img[(c * H + y) * W + x] = (byte) value(c, y, x);
                }
            }
        }
        return img;
    }

    private static int value(int c, int y, int x) {
        return 1 + c * 60 + y * 8 + x;
    }

    private static int at(byte[] img, int c, int y, int x) {
        return img[(c * H + y) * W + x] & 0xFF;
    }

    private final Augmentation aug = new Augmentation(4, true);

    @Test
    void centredCropWithoutFlipIsTheIdentity() {
        assertThat(aug.apply(image(), C, H, W, new Augmentation.Crop(4, 4, false))).containsExactly(image());
    }

    @Test
    void cropShiftsAndPadsWithZeros() {
        // top 1, left 7: output (y, x) = input (y - 3, x + 3)
        byte[] out = aug.apply(image(), C, H, W, new Augmentation.Crop(1, 7, false));
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = y - 3, sx = x + 3;
                    int expected = (sy >= 0 && sy < H && sx < W) ? value(c, sy, sx) : 0;
                    assertThat(at(out, c, y, x)).as("(%d,%d,%d)", c, y, x).isEqualTo(expected);
                }
            }
        }
        // spot checks spelled out
        assertThat(at(out, 0, 0, 0)).isZero(); // padding row
        assertThat(at(out, 1, 3, 0)).isEqualTo(value(1, 0, 3));
        assertThat(at(out, 2, 5, 1)).isEqualTo(value(2, 2, 4));
        assertThat(at(out, 2, 5, 2)).isZero(); // padding column
    }

    @Test
    void flipMirrorsTheCrop() {
        // top 4 (no vertical shift), left 5 (shift by one), then mirrored:
        // output (y, x) = input (y, (W - 1 - x) + 1)
        byte[] out = aug.apply(image(), C, H, W, new Augmentation.Crop(4, 5, true));
        assertThat(at(out, 0, 2, 0)).isZero(); // x' = W, outside
        assertThat(at(out, 0, 2, 1)).isEqualTo(value(0, 2, 4));
        assertThat(at(out, 1, 0, 4)).isEqualTo(value(1, 0, 1));
        assertThat(at(out, 2, 5, 2)).isEqualTo(value(2, 5, 3));
        // a pure flip is its own inverse
        byte[] flipped = aug.apply(image(), C, H, W, new Augmentation.Crop(4, 4, true));
        assertThat(aug.apply(flipped, C, H, W, new Augmentation.Crop(4, 4, true))).containsExactly(image());
        assertThat(at(flipped, 0, 0, 0)).isEqualTo(value(0, 0, W - 1));
    }

    @Test
    void extremeOffsetsLeaveOnlyTheCornerOfAnImageSmallerThanThePadding() {
        byte[] out = aug.apply(image(), C, H, W, new Augmentation.Crop(0, 0, false));
        // shift by (-4, -4): only output (4..5, 4) sees the input (0..1, 0)
        assertThat(at(out, 0, 4, 4)).isEqualTo(value(0, 0, 0));
        assertThat(at(out, 0, 5, 4)).isEqualTo(value(0, 1, 0));
        int nonZero = 0;
        for (byte b : out) {
            nonZero += b != 0 ? 1 : 0;
        }
        assertThat(nonZero).isEqualTo(C * 2);
    }

    @Test
    void drawCoversAllOffsetsAndBothFlips() {
        SplittableRandom rng = new SplittableRandom(5);
        Set<Integer> tops = new HashSet<>();
        Set<Integer> lefts = new HashSet<>();
        int flips = 0, n = 4000;
        for (int i = 0; i < n; i++) {
            Augmentation.Crop crop = aug.draw(rng);
            tops.add(crop.top());
            lefts.add(crop.left());
            flips += crop.flip() ? 1 : 0;
        }
        assertThat(tops).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(lefts).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(flips).isBetween(n / 2 - 200, n / 2 + 200);
        assertThat(new Augmentation(4, false).draw(rng).flip()).isFalse();
    }

    @Test
    void sameSeedSameOutputDifferentSeedDifferent() {
        byte[] img = TestData.randomBytes(3, 3 * 32 * 32);
        Augmentation std = Augmentation.standard();
        byte[][] a = new byte[20][], b = new byte[20][], c = new byte[20][];
        SplittableRandom r1 = new SplittableRandom(42), r2 = new SplittableRandom(42), r3 = new SplittableRandom(43);
        for (int i = 0; i < 20; i++) {
            a[i] = std.apply(img, 3, 32, 32, r1);
            b[i] = std.apply(img, 3, 32, 32, r2);
            c[i] = std.apply(img, 3, 32, 32, r3);
        }
        assertThat(a).isDeepEqualTo(b);
        assertThat(java.util.Arrays.deepEquals(a, c)).isFalse();
    }

    @Test
    void offsetsOutsideThePaddingAreRejected() {
        assertThatThrownBy(() -> aug.apply(image(), C, H, W, new Augmentation.Crop(9, 0, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Augmentation(-1, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
