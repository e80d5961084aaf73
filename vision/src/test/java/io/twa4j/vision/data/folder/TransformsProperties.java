package io.twa4j.vision.data.folder;

import static org.assertj.core.api.Assertions.assertThat;

import io.twa4j.vision.data.Normalization;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TransformsProperties {

    @Property(tries = 300)
    void randomResizedCropsStayInTheAreaAndRatioRangesOrFallBack(@ForAll @IntRange(min = 1, max = 700) int width,
            @ForAll @IntRange(min = 1, max = 700) int height, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int draw = 0; draw < 20; draw++) {
            CropBox box = Transforms.randomResizedCrop(width, height, rng);
            assertThat(box.within(width, height)).as("%s within %dx%d", box, width, height).isTrue();
            int w = (int) box.width();
            int h = (int) box.height();
            assertThat(box.clipRight() - box.clipLeft()).isEqualTo(w);
            CropBox fallback = Transforms.fallback(width, height, box.flip());
            if (box.equals(fallback)) {
                continue;
            }
            double area = (double) width * height;
            // w = round(sqrt(a·r)), h = round(sqrt(a/r)): each within 1/2 of its exact value
            assertThat((w + 0.5) * (h + 0.5)).as("area of %s", box).isGreaterThanOrEqualTo(Transforms.MIN_SCALE * area);
            assertThat((w - 0.5) * (h - 0.5)).as("area of %s", box).isLessThanOrEqualTo(Transforms.MAX_SCALE * area);
            assertThat((w + 0.5) / (h - 0.5)).as("ratio of %s", box).isGreaterThanOrEqualTo(Transforms.MIN_RATIO);
            assertThat((w - 0.5) / (h + 0.5)).as("ratio of %s", box).isLessThanOrEqualTo(Transforms.MAX_RATIO);
        }
    }

    @Test
    void theFallbackIsTheCentralCropClampedToTheRatioRange() {
        assertThat(Transforms.fallback(100, 10, false)).isEqualTo(CropBox.crop(0, 43, 10, 13, false));
        assertThat(Transforms.fallback(10, 100, true)).isEqualTo(CropBox.crop(43, 0, 13, 10, true));
        assertThat(Transforms.fallback(50, 40, false)).isEqualTo(CropBox.crop(0, 0, 40, 50, false));
    }

    @Test
    void aVeryThinImageFallsBackAndAWideOneDrawsAreasOverTheRange() {
        SplittableRandom rng = new SplittableRandom(3);
        assertThat(Transforms.randomResizedCrop(1000, 1, rng)).isEqualTo(Transforms.fallback(1000, 1, false))
                .extracting(CropBox::width).isEqualTo(1.0);
        double min = 1;
        double max = 0;
        int flips = 0;
        for (int i = 0; i < 2000; i++) {
            CropBox box = Transforms.randomResizedCrop(500, 375, rng);
            double fraction = box.width() * box.height() / (500.0 * 375);
            min = Math.min(min, fraction);
            max = Math.max(max, fraction);
            flips += box.flip() ? 1 : 0;
        }
        assertThat(min).isLessThan(0.1);
        assertThat(max).isGreaterThan(0.9);
        assertThat(flips).isBetween(900, 1100);
    }

    @Property(tries = 50)
    void cropsAreAPureFunctionOfTheSeed(@ForAll long seed) {
        CropBox a = Transforms.randomResizedCrop(333, 222, new SplittableRandom(seed));
        CropBox b = Transforms.randomResizedCrop(333, 222, new SplittableRandom(seed));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void theEvalCropResizesTheShorterSideThenTakesTheCentre() {
        // 500x375 at S = 224: resized to 341x256 (int(256 * 500 / 375)), crop offsets round(117/2) = 58 and 16
        CropBox box = Transforms.resizeCenterCrop(500, 375, 256, 224);
        double s = 375.0 / 256;
        assertThat(box.top()).isCloseTo(16 * s, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(box.left()).isCloseTo(58 * 500.0 / 341, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(box.height()).isCloseTo(224 * s, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(box.clipRight()).isEqualTo(500);
        assertThat(new FolderOptions(224, 1, false).resizeSize()).isEqualTo(256);
        assertThat(new FolderOptions(64, 1, false).resizeSize()).isEqualTo(73);
    }

    @Test
    void resamplingAUniformImageGivesItsNormalisedColourAndAnIdentityCropCopies() {
        byte[] px = new byte[30 * 20 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 10;
            px[i + 2] = (byte) 128;
        }
        float[] out = new float[3 * 8 * 8];
        new Resampler(8).resample(new RgbImage(px, 30, 20), Transforms.resizeCenterCrop(30, 20, 9, 8),
                Normalization.IMAGENET.table(3), out, 0);
        assertThat(out[0]).isEqualTo(Normalization.IMAGENET.apply(0, 200));
        assertThat(out[64 + 63]).isEqualTo(Normalization.IMAGENET.apply(1, 10));
        assertThat(out[128 + 17]).isEqualTo(Normalization.IMAGENET.apply(2, 128));
        byte[] ramp = new byte[4 * 4 * 3];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (byte) (i * 5);
        }
        float[] copy = new float[3 * 4 * 4];
        new Resampler(4).resample(new RgbImage(ramp, 4, 4), CropBox.crop(0, 0, 4, 4, true), Normalization.NONE.table(3), copy, 0);
        assertThat(copy[0]).isEqualTo((3 * 3) * 5 / 255f); // flipped: output (0, 0) is source (0, 3), red
        assertThat(copy[16 + 5]).isEqualTo(((1 * 4 + 2) * 3 + 1) * 5 / 255f); // green of source (1, 2)
    }
}
