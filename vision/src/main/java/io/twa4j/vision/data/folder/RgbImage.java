package io.twa4j.vision.data.folder;

/**
 * A decoded 8-bit RGB image, interleaved row-major: pixel (y, x) channel c is at {@code (y * width
 * + x) * 3 + c}.
 *
 * @param pixels {@code width * height * 3} bytes
 * @param width columns
 * @param height rows
 */
public record RgbImage(byte[] pixels, int width, int height) {

    /** Checks the sizes. */
    public RgbImage {
        if (width < 1 || height < 1 || pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "RGB image of " + width + "x" + height + " needs " + (long) width * height * 3 + " bytes, got " + pixels.length);
        }
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (y, x), 0..255. */
    public int sample(int y, int x, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
