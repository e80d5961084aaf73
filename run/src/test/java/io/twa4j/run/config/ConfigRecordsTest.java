package io.twa4j.run.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.io.Json;
import io.twa4j.run.twa.TwaSettings;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Each configuration record checks its own values and names the key; run.json is the records written flat. */
class ConfigRecordsTest {

    private static final DataConfig DATA = DataConfig.of("synthetic");

    @Test
    void eachGroupRefusesItsBadValuesNamingTheKey() {
        assertRefused(() -> new DataConfig("synthetic", null, 0, null, 128, 250, false, null, null), "train_limit", "'train_limit' must be a positive number, got 0");
        assertRefused(() -> new DataConfig("synthetic", null, null, null, 128, -1, false, null, null), "eval_batch_size", "got -1");
        assertRefused(() -> new DataConfig("imagenet21k", null, null, null, 128, 250, false, null, null), "data", "'data': unknown dataset 'imagenet21k'");
        assertRefused(() -> new ModelConfig("alexnet", 10, List.of(1, 28, 28)), "model", "'model': unknown model 'alexnet'");
        assertRefused(() -> new ModelConfig("cnn", 10, List.of(1, 28)), "input_shape", "three positive sizes");
        assertRefused(() -> new OptimizerConfig(0, 0.1, 0.9, 1e-4, "step", List.of()), "epochs", "'epochs' must be a positive number, got 0");
        assertRefused(() -> new OptimizerConfig(2, Double.NaN, 0.9, 1e-4, "step", List.of()), "lr", "got NaN");
        assertRefused(() -> new OptimizerConfig(2, 0.1, 1, 1e-4, "step", List.of()), "momentum", "[0, 1)");
        assertRefused(() -> new OptimizerConfig(2, 0.1, 0.9, 1e-4, "cosine", List.of()), "schedule", "valid: step, constant, linear");
        assertRefused(() -> new OptimizerConfig(2, 0.1, 0.9, 1e-4, "step", List.of(0.5, 1.5)), "milestones", "1.5");
        assertRefused(() -> new SnapshotConfig(0), "snapshots_per_epoch", "got 0");
        assertRefused(() -> new SwaConfig(3, 0.05, 0, 5), "swa.c_epochs", "'swa.c_epochs' must be a positive number");
        assertRefused(() -> new EmaConfig(1.0, false), "ema.decay", "[0, 1)");
    }

    @Test
    void theRunChecksWhatTiesTheGroupsTogether() {
        OptimizerConfig sgd = OptimizerConfig.reference(2, 0.1);
        assertRefused(() -> new RunConfig("train", DATA, new ModelConfig("cnn", 100, List.of(1, 28, 28)), sgd, SnapshotConfig.PER_EPOCH,
                1, null, null, null, null, null), "classes", "'classes' is 100, but 'data' synthetic has 10");
        assertRefused(() -> new RunConfig("train", DATA, ModelConfig.forData("vgg16", "cifar10"), sgd, SnapshotConfig.PER_EPOCH, 1,
                null, null, null, null, null), "input_shape", "has images of [1, 28, 28]");
        assertRefused(() -> new RunConfig("train", DATA, ModelConfig.forData("cnn", "synthetic"), sgd, SnapshotConfig.PER_EPOCH, 1,
                null, new SwaConfig(1, 0.05, 1, 1), null, null, null), "schedule", "exactly when 'swa'");
        assertRefused(() -> new RunConfig("train", DATA, ModelConfig.forData("cnn", "synthetic"), sgd, SnapshotConfig.PER_EPOCH, 1,
                "tpu", null, null, null, null), "device", "valid: cpu, gpu");
        InvalidSettingException vgg = catchInvalid(() -> new RunConfig("train", DataConfig.of("synthetic"),
                new ModelConfig("vgg16", 10, List.of(1, 28, 28)), sgd, SnapshotConfig.PER_EPOCH, 1, null, null, null, null, null));
        assertThat(vgg.key()).isEqualTo("model");
        assertThat(vgg.describe(key -> "--" + key)).startsWith("--model VGG16 does not fit --data synthetic: ");
    }

    @Test
    void namesAreCanonicalised() {
        RunConfig config = new RunConfig("train", new DataConfig("Fashion_MNIST", null, null, null, 128, 250, false, null, null),
                new ModelConfig("CNN", 10, List.of(1, 28, 28)), new OptimizerConfig(2, 0.1, 0.9, 0, "STEP", List.of(0.5)),
                SnapshotConfig.PER_EPOCH, 1, "CPU", null, null, null, null);
        assertThat(config.data().data()).isEqualTo("fashion-mnist");
        assertThat(config.model().model()).isEqualTo("cnn");
        assertThat(config.optimizer().schedule()).isEqualTo("step");
        assertThat(config.device()).isEqualTo("cpu");
    }

    @Test
    void folderKeysApplyToImageFoldersOnly() {
        assertRefused(() -> new DataConfig("cifar10", null, null, null, 128, 250, true, null, null, 64, null, false), "image_size",
                "applies to imagefolder only: 'data' cifar10 has images of a fixed size");
        assertRefused(() -> new DataConfig("imagefolder", null, null, null, 128, 250, true, null, null, 64, null, false), "data_dir",
                "needs 'data_dir'");
        assertRefused(() -> new DataConfig("imagefolder", "/x", null, null, 128, 250, true, null, null, 4, null, false), "image_size",
                "at least 8");
        assertRefused(() -> new DataConfig("imagefolder", "/x", null, null, 128, 250, true, null, null, 64, 0, false), "data_workers",
                "got 0");
        DataConfig folder = new DataConfig("Image-Folder", "/x", null, null, 128, 250, true, null, null, null, 3, true);
        assertThat(folder.data()).isEqualTo("imagefolder");
        assertThat(folder.imageSize()).isEqualTo(224);
        assertThat(folder.folderOptions()).isEqualTo(new io.twa4j.vision.data.folder.FolderOptions(224, 3, true));
        assertThat(DATA.imageSize()).isNull();
        assertThat(DataConfig.augmentsByDefault("imagefolder")).isTrue();
        assertRefused(() -> RunConfig.train(folder, "cnn", OptimizerConfig.reference(1, 0.1), 1), "data_dir", "/x: no such directory");
    }

    @Test
    void runJsonIsFlatWithTheKeysOfBefore() throws Exception {
        RunConfig config = RunConfig.train(DATA.limit(640, 300), "cnn", OptimizerConfig.reference(2, 0.05), 2).withSeed(5);
        JsonNode written = Json.TREE.readTree(Json.PRETTY.writeValueAsString(config));
        List<String> keys = new java.util.ArrayList<>();
        written.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("command", "data", "data_dir", "train_limit", "test_limit", "model", "classes",
                "input_shape", "epochs", "lr", "momentum", "wd", "schedule", "milestones", "batch_size", "eval_batch_size", "augment",
                "val_ratio", "val_limit", "label_smoothing", "snapshots_per_epoch", "seed", "device", "swa", "ema", "init", "versions",
                "image_size", "data_workers", "skip_bad_images");
        assertThat(RunConfigFile.keysOf(RunConfig.class)).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(written.get("data").asText()).isEqualTo("synthetic");
        assertThat(written.get("train_limit").asInt()).isEqualTo(640);
        assertThat(Json.STRICT.forType(RunConfig.class).<RunConfig>readValue(written)).isEqualTo(config);
    }

    @Test
    void twaSettingsCheckTheirValuesAndNameTheResult() {
        assertThat(TwaSettings.reference(0, 11, 128).name()).isEqualTo("p0-11");
        assertRefused(() -> TwaSettings.reference(2, 2, 128), "params_end", "(2) must be greater than 'params_start' (2)");
        assertRefused(() -> TwaSettings.reference(2, 3, 128), "params_end", "TWA needs at least 2 snapshots");
        assertRefused(() -> TwaSettings.reference(0, 3, 128).named(".hidden"), "name", "not starting with '.'");
        assertRefused(() -> TwaSettings.reference(0, 3, 128).withEpochs(0, "step"), "epochs", "got 0");
        assertRefused(() -> new TwaSettings(null, 0, 3, 1, -1, 1, 2, 0, 0.9, "step", List.of(0.5), 128, 1e-6, "bf16", "train", true, "global"), "basis_dtype",
                "aborts the JVM");
    }

    private static void assertRefused(Supplier<?> record, String key, String fragment) {
        InvalidSettingException e = catchInvalid(record);
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).contains(fragment);
    }

    private static InvalidSettingException catchInvalid(Supplier<?> record) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                record.get();
            } catch (RuntimeException e) {
                thrown[0] = e;
                throw e;
            }
        }).isInstanceOf(InvalidSettingException.class);
        return (InvalidSettingException) thrown[0];
    }
}
