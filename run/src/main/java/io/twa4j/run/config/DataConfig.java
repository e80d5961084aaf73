package io.twa4j.run.config;

import io.twa4j.core.io.OneLine;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.folder.FolderOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The data a run trains and evaluates on.
 *
 * @param data the dataset's canonical name (see {@link Datasets#NAMES}; any spelling is canonicalised)
 * @param dataDir the directory holding the dataset's files, or null for the dataset's default
 * @param trainLimit use the first N training examples, or null for all
 * @param testLimit use the first N test examples, or null for all
 * @param batchSize the training batch size
 * @param evalBatchSize the evaluation batch size
 * @param augment whether training batches are augmented (random crop and flip)
 * @param valRatio the fraction of the training set held out (stratified by class, drawn with a fixed
 *     seed so that every run on the same data and ratio holds out the same images; see {@link
 *     io.twa4j.vision.data.HeldOutSplit}), or null
 * @param valLimit the number of training images held out, or null (at most one of the two is set)
 * @param imageSize for {@code imagefolder}, the side S of the square images served (default {@value
 *     FolderOptions#DEFAULT_IMAGE_SIZE}); null for the other datasets, whose images have a fixed size
 * @param dataWorkers for {@code imagefolder}, the threads that decode and transform images, or null
 *     for one per core (of the machine the run runs on)
 * @param skipBadImages for {@code imagefolder}, skip (and count) images that cannot be decoded
 *     instead of failing
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DataConfig(String data, String dataDir, Integer trainLimit, Integer testLimit, int batchSize, int evalBatchSize,
        boolean augment, Double valRatio, Integer valLimit, Integer imageSize, Integer dataWorkers, boolean skipBadImages) {

    /** Checks every value, naming its key. */
    public DataConfig {
        String name = data;
        data = Settings.valid("data", () -> Datasets.canonicalName(name));
        if (dataDir != null) {
            try {
                Path.of(dataDir);
            } catch (InvalidPathException e) {
                throw new InvalidSettingException("data_dir", "{data_dir} " + OneLine.quote(dataDir) + " is not a path");
            }
        }
        Settings.positiveOrNull("train_limit", trainLimit);
        Settings.positiveOrNull("test_limit", testLimit);
        Settings.positive("batch_size", batchSize);
        Settings.positive("eval_batch_size", evalBatchSize);
        if (valRatio != null && !(valRatio > 0 && valRatio < 1)) {
            throw new InvalidSettingException("val_ratio", "{val_ratio} must be in (0, 1), got " + valRatio);
        }
        Settings.positiveOrNull("val_limit", valLimit);
        if (valRatio != null && valLimit != null) {
            throw new InvalidSettingException("val_limit", "{val_ratio} and {val_limit} exclude each other: give one");
        }
        imageSize = checkFolderKeys(data, dataDir, imageSize, dataWorkers);
    }

    /** A configuration of a dataset with fixed-size images (no folder settings). */
    public DataConfig(String data, String dataDir, Integer trainLimit, Integer testLimit, int batchSize, int evalBatchSize,
            boolean augment, Double valRatio, Integer valLimit) {
        this(data, dataDir, trainLimit, testLimit, batchSize, evalBatchSize, augment, valRatio, valLimit, null, null, false);
    }

    /** Checks the keys of image folders; returns the image size, defaulted for a folder. */
    private static Integer checkFolderKeys(String data, String dataDir, Integer imageSize, Integer dataWorkers) {
        Settings.positiveOrNull("data_workers", dataWorkers);
        if (!Datasets.isImageFolder(data)) {
            if (imageSize != null) {
                throw new InvalidSettingException("image_size", "{image_size} applies to " + Datasets.IMAGEFOLDER + " only: {data} "
                        + data + " has images of a fixed size");
            }
            return null;
        }
        if (dataDir == null) {
            throw new InvalidSettingException("data_dir", "{data} " + Datasets.IMAGEFOLDER + " needs {data_dir}: the folder holding"
                    + " train/<class>/ and val/<class>/");
        }
        int size = imageSize == null ? FolderOptions.DEFAULT_IMAGE_SIZE : imageSize;
        if (size < FolderOptions.MIN_IMAGE_SIZE) {
            throw new InvalidSettingException("image_size", "{image_size} must be at least " + FolderOptions.MIN_IMAGE_SIZE
                    + ", got " + size);
        }
        return size;
    }

    /** Whether the data is an image folder (read from files as served, see {@link #folderOptions()}). */
    @JsonIgnore
    public boolean isImageFolder() {
        return Datasets.isImageFolder(data);
    }

    /**
     * How the folder's images are served: {@link #imageSize()}, {@link #dataWorkers()} (else one
     * per available core) and {@link #skipBadImages()}.
     *
     * @throws IllegalStateException if the data is not an image folder
     */
    public FolderOptions folderOptions() {
        if (!isImageFolder()) {
            throw new IllegalStateException(data + " is not an image folder");
        }
        int workers = dataWorkers != null ? dataWorkers : Runtime.getRuntime().availableProcessors();
        return new FolderOptions(imageSize, workers, skipBadImages);
    }

    /** Whether training images of {@code data} (a canonical name) are augmented unless the user says otherwise. */
    public static boolean augmentsByDefault(String data) {
        return Datasets.isImageFolder(data) || Datasets.byName(data).augmentByDefault();
    }

    /** The whole dataset at the default place, batches of 128 (evaluation 250), augmented as the dataset usually is. */
    public static DataConfig of(String data) {
        return of(data, null);
    }

    /** {@link #of(String)} with the files in {@code dataDir} (null: the dataset's default place; an image folder needs one). */
    public static DataConfig of(String data, String dataDir) {
        String name = Settings.valid("data", () -> Datasets.canonicalName(data));
        return new DataConfig(name, dataDir, null, null, 128, 250, augmentsByDefault(name), null, null);
    }

    /** This data with the first {@code train} training and {@code test} test examples (null: all). */
    public DataConfig limit(Integer train, Integer test) {
        return new DataConfig(data, dataDir, train, test, batchSize, evalBatchSize, augment, valRatio, valLimit, imageSize,
                dataWorkers, skipBadImages);
    }

    /** This data with a held-out part: a fraction {@code ratio} of the training set, or {@code limit} images (null: none). */
    public DataConfig heldOut(Double ratio, Integer limit) {
        return new DataConfig(data, dataDir, trainLimit, testLimit, batchSize, evalBatchSize, augment, ratio, limit, imageSize,
                dataWorkers, skipBadImages);
    }

    /** Whether part of the training set is held out. */
    public boolean holdsOut() {
        return valRatio != null || valLimit != null;
    }

    /** How many of {@code trainingImages} are held out (0 without a held-out part). */
    public int heldOutCount(int trainingImages) {
        return valLimit != null ? valLimit : valRatio != null ? io.twa4j.vision.data.HeldOutSplit.count(trainingImages, valRatio) : 0;
    }

    /** The directory of the files, or null for the dataset's default place. */
    public Path directory() {
        return dataDir == null ? null : Path.of(dataDir);
    }
}
