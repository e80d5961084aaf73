package io.twa4j.vision.data.folder;

import io.twa4j.vision.data.DatasetException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG files to 8-bit RGB with ImageIO, where TwelveMonkeys' JPEG reader (on the
 * class path) takes precedence over the JDK's: it was measured as fast or faster, and it reads the
 * CMYK/YCCK and slightly broken JPEGs found in ImageNet that the JDK's reader refuses.
 *
 * <p>The format is sniffed from the content, not the name (ImageNet holds a PNG named .JPEG).
 * Colour conversion as PIL's {@code convert("RGB")}: grey is replicated to the three channels,
 * alpha dropped (not composited), palette, 16-bit and CMYK images converted by their colour
 * model. Decoding is thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false); // decode from memory, never through temporary files
    }

    private final Predicate<ImageReader> accept;

    private ImageDecoder(Predicate<ImageReader> accept) {
        this.accept = accept;
    }

    /** The decoder of the loader: the first reader ImageIO offers for the content. */
    public static ImageDecoder standard() {
        return new ImageDecoder(r -> true);
    }

    /**
     * A decoder using only the readers {@code accept} takes (benchmarks: the JDK's reader against
     * TwelveMonkeys').
     */
    public static ImageDecoder using(Predicate<ImageReader> accept) {
        return new ImageDecoder(accept);
    }

    /**
     * Reads and decodes {@code file}.
     *
     * @throws DatasetException naming the file if it cannot be read or decoded
     */
    public RgbImage decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * Decodes an encoded image held in memory; {@code name} names it in errors.
     *
     * @throws DatasetException if no reader knows the format or decoding fails
     */
    public RgbImage decode(byte[] bytes, String name) {
        BufferedImage image;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(in, name);
            try {
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException d) {
                throw d;
            }
            throw new DatasetException(name + ": not a readable image: " + oneLine(e), e);
        }
        return toRgb(image);
    }

    private ImageReader reader(ImageInputStream in, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (accept.test(r)) {
                return r;
            }
        }
        throw new DatasetException(name + ": not a readable image: neither JPEG nor PNG (or no reader for its format)");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("\\s+", " ").trim());
    }

    /** The image as interleaved RGB bytes. */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        if (raster.getDataBuffer() instanceof DataBufferByte buffer
                && raster.getSampleModel() instanceof ComponentSampleModel model
                && image.getColorModel() instanceof ComponentColorModel colors
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && buffer.getNumBanks() == 1) {
            ColorSpace space = colors.getColorSpace();
            int components = colors.getNumColorComponents();
            if (components == 3 && space.isCS_sRGB()) {
                copyBands(buffer.getData(), model, w, h, new int[] {0, 1, 2}, out);
                return new RgbImage(out, w, h);
            }
            if (components == 1 && space.getType() == ColorSpace.TYPE_GRAY) {
                copyBands(buffer.getData(), model, w, h, new int[] {0, 0, 0}, out); // PIL's L -> RGB: replicate
                return new RgbImage(out, w, h);
            }
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int argb = row[x];
                out[o] = (byte) (argb >>> 16);
                out[o + 1] = (byte) (argb >>> 8);
                out[o + 2] = (byte) argb;
            }
        }
        return new RgbImage(out, w, h);
    }

    /** Copies raster bands {@code bands[0..2]} of 8-bit samples into R, G, B. */
    private static void copyBands(byte[] data, ComponentSampleModel model, int w, int h, int[] bands, byte[] out) {
        int pixelStride = model.getPixelStride();
        int lineStride = model.getScanlineStride();
        int[] offsets = model.getBandOffsets();
        int r = offsets[bands[0]];
        int g = offsets[bands[1]];
        int b = offsets[bands[2]];
        for (int y = 0; y < h; y++) {
            int in = y * lineStride;
            int o = y * w * 3;
            for (int x = 0; x < w; x++, in += pixelStride, o += 3) {
                out[o] = data[in + r];
                out[o + 1] = data[in + g];
                out[o + 2] = data[in + b];
            }
        }
    }
}
