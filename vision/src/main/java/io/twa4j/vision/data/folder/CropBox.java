package io.twa4j.vision.data.folder;

/**
 * A region of a source image to be resized to the output, in source pixels, and whether the
 * output is mirrored left to right.
 *
 * <p>Source columns {@code left .. left + width} (fractional for the evaluation crop) are resized
 * to the output's columns; the resampling filter reads pixels only within columns {@code
 * [clipLeft, clipRight)} and rows {@code [clipTop, clipBottom)}: the crop itself for a crop that is
 * then resized (RandomResizedCrop), the whole image for a resize that is then cropped (Resize +
 * CenterCrop).
 *
 * @param top first source row (may be fractional)
 * @param left first source column (may be fractional)
 * @param height source rows covered
 * @param width source columns covered
 * @param clipTop first row the filter may read
 * @param clipLeft first column the filter may read
 * @param clipBottom one past the last row the filter may read
 * @param clipRight one past the last column the filter may read
 * @param flip whether the output is mirrored
 */
public record CropBox(double top, double left, double height, double width, int clipTop, int clipLeft, int clipBottom,
        int clipRight, boolean flip) {

    /** An integer crop {@code (i, j, h, w)} as torchvision's, resized on its own (the filter clipped to it). */
    public static CropBox crop(int i, int j, int h, int w, boolean flip) {
        return new CropBox(i, j, h, w, i, j, i + h, j + w, flip);
    }

    /** Whether the crop has at least one pixel and lies within a {@code width} × {@code height} image. */
    public boolean within(int imageWidth, int imageHeight) {
        return height > 0 && width > 0 && clipTop >= 0 && clipLeft >= 0 && clipBottom <= imageHeight && clipRight <= imageWidth
                && clipTop < clipBottom && clipLeft < clipRight;
    }
}
