package io.twa4j.vision.data.folder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Writes small image folders for tests and benchmarks. */
public final class TestFolders {

    private TestFolders() {}

    /**
     * A folder with classes {@code ant}, {@code cat}, {@code dog} (written in another order):
     * train holds 4 + 4 + 4 images, JPEG and PNG of odd sizes, one grey PNG ({@code
     * cat/grey.png}), one corrupt JPEG ({@code dog/broken.jpg}, when {@code corrupt}) and a
     * {@code notes.txt}; val holds 2 per class.
     */
    public static Path small(Path root, boolean corrupt) {
        Random random = new Random(5);
        String[] classes = {"dog", "ant", "cat"};
        for (String c : classes) {
            write(root.resolve("train").resolve(c).resolve("b_37x53.jpg"), colour(37, 53, random), "jpeg");
            write(root.resolve("train").resolve(c).resolve("a_64x48.PNG"), colour(64, 48, random), "png");
            write(root.resolve("train").resolve(c).resolve("c_19x80.JPEG"), colour(19, 80, random), "jpeg");
            write(root.resolve("val").resolve(c).resolve("v1.jpg"), colour(45, 31, random), "jpeg");
            write(root.resolve("val").resolve(c).resolve("v2.png"), colour(50, 50, random), "png");
        }
        write(root.resolve("train/cat/grey.png"), grey(41, 29, random), "png");
        write(root.resolve("train/ant/d_30x30.jpg"), colour(30, 30, random), "jpeg");
        write(root.resolve("train/dog/e_33x21.png"), colour(33, 21, random), "png");
        try {
            Files.writeString(root.resolve("train/ant/notes.txt"), "not an image");
            if (corrupt) {
                Files.write(root.resolve("train/dog/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /**
     * {@code perClass} JPEGs (quality 0.9, as photo collections are typically saved) of {@code width}
     * × {@code height} in each of {@code classes} classes of train/ and val/.
     */
    public static Path jpegs(Path root, int classes, int perClass, int width, int height, long seed) {
        Random random = new Random(seed);
        for (String split : new String[] {"train", "val"}) {
            for (int c = 0; c < classes; c++) {
                for (int i = 0; i < perClass; i++) {
                    writeJpeg(root.resolve(split).resolve(String.format("c%03d", c)).resolve(String.format("img%05d.jpg", i)),
                            smooth(width, height, random), 0.9f);
                }
            }
        }
        return root;
    }

    static BufferedImage colour(int w, int h, Random random) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** A photo-like image: smooth gradients and a few blobs (compresses as photos do). */
    static BufferedImage smooth(int w, int h, Random random) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double fx = random.nextDouble() * 0.05;
        double fy = random.nextDouble() * 0.05;
        int base = random.nextInt(1 << 24);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (127 + 120 * Math.sin(fx * x + ((base >> 16) & 255)));
                int g = (int) (127 + 120 * Math.sin(fy * y + ((base >> 8) & 255)));
                int b = (int) (127 + 120 * Math.sin(fx * y + fy * x + (base & 255)) * ((x ^ y) % 7 == 0 ? 0.9 : 1));
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    static BufferedImage grey(int w, int h, Random random) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        return image;
    }

    /** Writes {@code image} as a baseline JPEG of {@code quality} (0..1). */
    static void writeJpeg(Path file, BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try {
            Files.createDirectories(file.getParent());
            try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, BufferedImage image, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
