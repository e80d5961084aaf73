package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import ai.djl.ndarray.types.Shape;
import io.twa4j.vision.data.Dataset;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.folder.ImageFolder;
import io.twa4j.vision.models.ModelZoo;
import java.util.Arrays;
import java.util.List;

/**
 * The model a run trains.
 *
 * @param model the model's canonical name (see {@link ModelZoo#names()}; any spelling is canonicalised)
 * @param classes the number of classes of its last layer
 * @param inputShape the shape (C, H, W) of one input image
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelConfig(String model, int classes, List<Integer> inputShape) {

    /** Checks every value, naming its key. */
    public ModelConfig {
        String name = model;
        model = Settings.valid("model", () -> ModelZoo.canonicalName(name));
        Settings.positive("classes", classes);
        if (inputShape == null || inputShape.size() != 3 || inputShape.stream().anyMatch(d -> d == null || d < 1)) {
            throw new InvalidSettingException("input_shape", "{input_shape} must be three positive sizes (C, H, W), not " + inputShape);
        }
        inputShape = List.copyOf(inputShape);
    }

    /**
     * The model {@code model} for the classes and images of dataset {@code data} (one with images
     * of a fixed size; see {@link #forData(String, DataConfig)} for image folders).
     */
    public static ModelConfig forData(String model, String data) {
        Dataset dataset = Settings.valid("data", () -> Datasets.byName(data));
        return new ModelConfig(model, dataset.classes(), shapeOf(dataset.imageShape()));
    }

    /**
     * The model {@code model} for the classes and images of {@code data}: for an image folder, its
     * classes (the subdirectories of {@code train/}) and (3, S, S) with S its {@code image_size}.
     */
    public static ModelConfig forData(String model, DataConfig data) {
        if (!data.isImageFolder()) {
            return forData(model, data.data());
        }
        ImageFolder folder = Settings.valid("data_dir", () -> ImageFolder.open(data.directory()));
        return new ModelConfig(model, folder.numClasses(), List.of(3, data.imageSize(), data.imageSize()));
    }

    /** The input shape (C, H, W) as the engine's {@link Shape}. */
    public Shape imageShape() {
        return new Shape(inputShape.stream().mapToLong(Integer::longValue).toArray());
    }

    static List<Integer> shapeOf(Shape shape) {
        return Arrays.stream(shape.getShape()).mapToObj(d -> (int) d).toList();
    }
}
