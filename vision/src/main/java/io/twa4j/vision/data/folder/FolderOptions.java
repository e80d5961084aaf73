package io.twa4j.vision.data.folder;

/**
 * How the images of a folder are read and served.
 *
 * @param imageSize the side S of the square images served (training: RandomResizedCrop(S);
 *     evaluation: Resize(round(S·256/224)) then CenterCrop(S)), at least 8
 * @param workers the background threads that decode and transform, at least 1
 * @param skipBadImages skip (and count) images that cannot be decoded instead of failing
 */
public record FolderOptions(int imageSize, int workers, boolean skipBadImages) {

    /** The image size of the ImageNet recipe. */
    public static final int DEFAULT_IMAGE_SIZE = 224;

    /** The smallest image size accepted. */
    public static final int MIN_IMAGE_SIZE = 8;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if the image size is below {@link #MIN_IMAGE_SIZE} or there
     *     is no worker
     */
    public FolderOptions {
        if (imageSize < MIN_IMAGE_SIZE) {
            throw new IllegalArgumentException("image size " + imageSize + " must be at least " + MIN_IMAGE_SIZE);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("data workers " + workers + " must be at least 1");
        }
    }

    /** Size {@code imageSize}, one worker per core, bad images refused. */
    public static FolderOptions of(int imageSize) {
        return new FolderOptions(imageSize, Runtime.getRuntime().availableProcessors(), false);
    }

    /** The side of the resized image the evaluation crop is taken from: {@code round(S · 256 / 224)}. */
    public int resizeSize() {
        return (int) Math.round(imageSize * 256.0 / 224.0);
    }
}
