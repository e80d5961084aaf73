package io.twa4j.run.config;

import io.twa4j.core.io.OneLine;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.vision.data.Dataset;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.models.ModelZoo;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything needed to repeat a training run or rebuild its model and data, written to
 * {@code RUN/run.json} when the run starts. One record per group of settings, each checked in its
 * own constructor; this one checks what ties them together (the model's classes and input shape
 * are the dataset's, the model takes those images, an {@code swa} schedule comes with its SWA
 * settings). In run.json the groups are flat ({@link JsonUnwrapped}): {@code "data"},
 * {@code "batch_size"}, {@code "model"}, {@code "epochs"}, ... at the top level, {@code "swa"}
 * and {@code "ema"} as objects.
 *
 * <pre>{@code
 * RunConfig config = RunConfig.train(DataConfig.of("synthetic"), "cnn", OptimizerConfig.reference(2, 0.05), 1);
 * }</pre>
 *
 * @param command the command that made the run (train, swa, demo, ...)
 * @param data the dataset, its limits and batch sizes
 * @param model the model
 * @param optimizer SGD and its schedule
 * @param snapshots which snapshots are kept
 * @param seed the seed of initialisation, shuffling and augmentation
 * @param device {@code cpu}, {@code gpu}, or null for the engine's default
 * @param swa the SWA settings of an {@code swa} run, or null
 * @param ema the EMA settings when the run keeps one, or null
 * @param init the weights a fine-tuning run starts from, or null for a fresh initialisation
 * @param versions twa4j, DJL, engine and Java versions
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunConfig(
        String command,
        @JsonUnwrapped @JsonProperty(UNWRAPPED + "data") DataConfig data,
        @JsonUnwrapped @JsonProperty(UNWRAPPED + "model") ModelConfig model,
        @JsonUnwrapped @JsonProperty(UNWRAPPED + "optimizer") OptimizerConfig optimizer,
        @JsonUnwrapped @JsonProperty(UNWRAPPED + "snapshots") SnapshotConfig snapshots,
        long seed,
        String device,
        SwaConfig swa,
        EmaConfig ema,
        InitConfig init,
        Map<String, String> versions) {

    /**
     * The prefix of the (never written) names of the unwrapped groups: a group's own name must not
     * be a key of run.json, where {@code "data"} and {@code "model"} are names, not groups.
     */
    static final String UNWRAPPED = "@group:";

    /** The devices a configuration may name (null: the engine's default). */
    public static final List<String> DEVICES = List.of("cpu", "gpu");

    /** Checks the command and device, and what ties the groups together. */
    public RunConfig {
        if (command == null || !command.matches("[a-z][a-z-]*")) {
            throw new InvalidSettingException("command", "{command} must name a twa4j command, not "
                    + OneLine.quote(command));
        }
        Settings.required("data", data);
        Settings.required("model", model);
        Settings.required("epochs", optimizer);
        Settings.required("snapshots_per_epoch", snapshots);
        device = device == null ? null : Settings.oneOf("device", device.toLowerCase(Locale.ROOT), DEVICES);
        checkModelFitsData(data, model);
        if (swa != null || Schedules.SWA.equals(optimizer.schedule())) {
            if (swa == null || !Schedules.SWA.equals(optimizer.schedule())) {
                throw new InvalidSettingException("schedule", "{schedule} is \"swa\" exactly when {swa} holds the SWA settings, not '"
                        + optimizer.schedule() + "' with " + swa);
            }
        }
    }

    private static void checkModelFitsData(DataConfig data, ModelConfig model) {
        if (data.isImageFolder()) {
            checkModelFitsFolder(data, model); // its classes are checked against the folder when it is read
            return;
        }
        Dataset dataset = Datasets.byName(data.data());
        int classes = dataset.classes();
        if (model.classes() != classes) {
            throw new InvalidSettingException("classes", "{classes} is " + model.classes() + ", but {data} " + data.data() + " has "
                    + classes);
        }
        List<Integer> shape = ModelConfig.shapeOf(dataset.imageShape());
        if (!shape.equals(model.inputShape())) {
            throw new InvalidSettingException("input_shape", "{input_shape} is " + model.inputShape() + ", but {data} " + data.data()
                    + " has images of " + shape);
        }
        checkInputShape(data, model);
    }

    private static void checkModelFitsFolder(DataConfig data, ModelConfig model) {
        List<Integer> shape = List.of(3, data.imageSize(), data.imageSize());
        if (!shape.equals(model.inputShape())) {
            throw new InvalidSettingException("input_shape", "{input_shape} is " + model.inputShape() + ", but {image_size} "
                    + data.imageSize() + " gives images of " + shape);
        }
        checkInputShape(data, model);
    }

    private static void checkInputShape(DataConfig data, ModelConfig model) {
        try {
            ModelZoo.checkInputShape(model.model(), model.imageShape());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("model", "{model} " + model.model() + " does not fit {data} " + data.data() + ": "
                    + e.getMessage());
        }
    }

    /**
     * A {@code train} run of {@code model} on {@code data} with {@code optimizer}, keeping
     * {@code snapshotsPerEpoch} snapshots per epoch, seed 1, on the engine's default device.
     */
    public static RunConfig train(DataConfig data, String model, OptimizerConfig optimizer, int snapshotsPerEpoch) {
        return new RunConfig("train", data, ModelConfig.forData(model, data), optimizer,
                new SnapshotConfig(snapshotsPerEpoch), 1, null, null, null, null, Versions.current());
    }

    /** This configuration with seed {@code seed}. */
    public RunConfig withSeed(long seed) {
        return new RunConfig(command, data, model, optimizer, snapshots, seed, device, swa, ema, init, versions);
    }

    /** This configuration starting from the weights {@code init} (null: a fresh initialisation). */
    public RunConfig withInit(InitConfig init) {
        return new RunConfig(command, data, model, optimizer, snapshots, seed, device, swa, ema, init, versions);
    }

    /** This configuration as made by {@code command}. */
    public RunConfig withCommand(String command) {
        return new RunConfig(command, data, model, optimizer, snapshots, seed, device, swa, ema, init, versions);
    }

    /** The run's learning-rate schedule. */
    public LrSchedule lrSchedule() {
        if (swa != null) {
            return Schedules.swa(optimizer.lr(), swa.lr(), swa.start(), optimizer.epochs());
        }
        return Schedules.byName(optimizer.schedule(), optimizer.lr(), optimizer.epochs(), optimizer.milestoneFractions());
    }

    /** The epoch budget. */
    public int epochs() {
        return optimizer.epochs();
    }
}
