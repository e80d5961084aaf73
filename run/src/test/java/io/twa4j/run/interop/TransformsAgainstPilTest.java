package io.twa4j.run.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.vision.data.folder.CropBox;
import io.twa4j.vision.data.folder.ImageDecoder;
import io.twa4j.vision.data.folder.Resampler;
import io.twa4j.vision.data.folder.RgbImage;
import io.twa4j.vision.data.folder.Transforms;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image-folder transforms against PIL's, as torchvision applies them ({@code
 * interop/pil_transforms.py}): the evaluation transform (Resize + CenterCrop) and torchvision's
 * crop-then-resize of RandomResizedCrop (with the flip) give the same 8-bit values to within one
 * level (PIL resamples in fixed point, rounding between its two passes; twa4j in float). Skipped
 * where the interpreter ({@code TWA4J_TORCH_PYTHON}, else {@code python3}) lacks PIL.
 */
class TransformsAgainstPilTest {

    private static final int SIZE = 32;
    private static final int RESIZE = 37; // round(32 * 256 / 224)

    @TempDir
    Path dir;

    @Test
    void evaluationAndTrainingCropsMatchPil() throws IOException {
        String lacking = TorchPython.lacks("PIL");
        assumeTrue(lacking == null, () -> lacking);
        Path png = dir.resolve("image.png");
        ImageIO.write(texturedImage(97, 71), "png", png.toFile());
        RgbImage image = ImageDecoder.standard().decode(png);
        List<CropBox> crops = List.of(CropBox.crop(5, 9, 50, 61, false), CropBox.crop(0, 0, 71, 97, true),
                CropBox.crop(30, 40, 20, 13, false), CropBox.crop(10, 20, 40, 40, true)); // down, whole, up, square
        List<String> args = new ArrayList<>(List.of(png.toString(), Integer.toString(SIZE), Integer.toString(RESIZE),
                dir.resolve("pil.json").toString()));
        for (CropBox c : crops) {
            args.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%d", (int) c.top(), (int) c.left(), (int) c.height(), (int) c.width(),
                    c.flip() ? 1 : 0));
        }
        TorchPython.script("pil_transforms.py", args.toArray(String[]::new));
        JsonNode pil = new ObjectMapper().readTree(dir.resolve("pil.json").toFile());

        int evalDiff = maxDifference(ours(image, Transforms.resizeCenterCrop(image.width(), image.height(), RESIZE, SIZE)), pil.get("eval"));
        System.out.printf(Locale.ROOT, "eval transform vs PIL: largest difference %d levels%n", evalDiff);
        assertThat(evalDiff).as("Resize(%d) + CenterCrop(%d)", RESIZE, SIZE).isLessThanOrEqualTo(1);
        for (int k = 0; k < crops.size(); k++) {
            int diff = maxDifference(ours(image, crops.get(k)), pil.get("crops").get(k));
            System.out.printf(Locale.ROOT, "%s vs PIL: largest difference %d levels%n", crops.get(k), diff);
            assertThat(diff).as(crops.get(k).toString()).isLessThanOrEqualTo(1);
        }
    }

    /** Noise over a gradient with a sharp edge: every filter tap matters. */
    private static BufferedImage texturedImage(int w, int h) {
        Random random = new Random(13);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = Math.min(255, 2 * x + random.nextInt(40));
                int g = x > w / 2 ? 200 : 30 + random.nextInt(20);
                int b = random.nextInt(256);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** Our 8-bit output of {@code box}, CHW (an identity table in place of the normalisation). */
    private static int[] ours(RgbImage image, CropBox box) {
        float[][] identity = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                identity[c][v] = v;
            }
        }
        float[] out = new float[3 * SIZE * SIZE];
        new Resampler(SIZE).resample(image, box, identity, out, 0);
        int[] values = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            values[i] = Math.round(out[i]);
        }
        return values;
    }

    private static int maxDifference(int[] ours, JsonNode theirs) {
        assertThat(theirs.size()).isEqualTo(ours.length);
        int max = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - theirs.get(i).asInt()));
        }
        return max;
    }
}
