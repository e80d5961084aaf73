package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.snapshot.SnapshotInfo;
import io.twa4j.core.snapshot.SnapshotStore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input ends with one line naming the problem, a specific exit code ({@link ExitCode}) and
 * nothing half-written: no run directory when the input was refused before training, no temporary
 * file (a name starting with '.') and no TWA result after a failure.
 */
class BadInputTest {

    @TempDir
    Path temp;

    @TempDir
    static Path shared;

    /** A small trained run: cnn on synthetic data, snapshots 0 (initialisation), 1 and 2. */
    private static Path base;

    @BeforeAll
    static void trainASmallRun() {
        base = shared.resolve("base");
        CliRunner.Result result = CliRunner.run(tiny(base, "--epochs", "2"));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(SnapshotStore.open(base).size()).isEqualTo(3);
    }

    /** {@code train} on 64 synthetic images in batches of 16 (4 steps per epoch), with more flags. */
    private static String[] tiny(Path run, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", "synthetic", "--model", "cnn",
                "--train-limit", "64", "--test-limit", "50", "--batch-size", "16", "--seed", "7", "--device", "cpu",
                "--run", run.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static void assertOneLine(CliRunner.Result result, int code, String... fragments) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(code);
        assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
        assertThat(result.err()).startsWith("twa4j: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String fragment : fragments) {
            assertThat(result.err()).contains(fragment);
        }
    }

    /** No temporary file anywhere under {@code run}, and no TWA result (not even an empty directory). */
    private static void assertNothingHalfWritten(Path run) throws IOException {
        try (Stream<Path> paths = Files.walk(run)) {
            assertThat(paths.filter(p -> p.getFileName().toString().startsWith(".")).toList()).isEmpty();
        }
        assertThat(run.resolve("twa")).doesNotExist();
    }

    /** A copy of the trained run, to damage. */
    private Path copyOfBase(String name) throws IOException {
        Path copy = temp.resolve(name);
        try (Stream<Path> paths = Files.walk(base)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = copy.resolve(base.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    // names

    @Test
    void unknownModelListsTheValidOnes() {
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--model", "alexnet", "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.USAGE, "alexnet", "VGG16BN", "cnn");
        assertThat(temp.resolve("r")).doesNotExist();
    }

    @Test
    void unknownDatasetListsTheValidOnes() {
        CliRunner.Result result = CliRunner.run("train", "--data", "imagenet21k", "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.USAGE, "imagenet21k", "fashion-mnist", "cifar10");
        assertThat(temp.resolve("r")).doesNotExist();
    }

    @Test
    void unknownSchedulesDevicesAndBasisTypesListTheValidOnesInEveryCommand() throws IOException {
        Path run = temp.resolve("r");
        assertOneLine(CliRunner.run(tiny(run, "--schedule", "cosine")), ExitCode.USAGE, "cosine", "step, constant, linear");
        assertOneLine(CliRunner.run(tiny(run, "--twa-after", "1", "--twa-schedule", "cosine")), ExitCode.USAGE,
                "cosine", "step, constant, linear");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--device", "tpu", "--run", run.toString()), ExitCode.USAGE,
                "tpu", "cpu, gpu");
        assertThat(run).doesNotExist();
        Path copy = copyOfBase("c");
        assertOneLine(CliRunner.run("twa", "--run", copy.toString(), "--schedule", "cosine"), ExitCode.USAGE,
                "cosine", "step, constant, linear");
        assertOneLine(CliRunner.run("twa", "--run", copy.toString(), "--basis-dtype", "f64"), ExitCode.USAGE,
                "--basis-dtype", "f64", "f32, f16");
        assertNothingHalfWritten(copy);
    }

    @Test
    void aModelThatCannotTakeTheDatasetsImagesIsRefusedBeforeAnythingIsWritten() {
        Path run = temp.resolve("r");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--model", "vgg16", "--run", run.toString()),
                ExitCode.USAGE, "--model VGG16 does not fit --data synthetic", "32x32", "1x28x28");
        assertThat(run).doesNotExist();
    }

    // numbers

    @Test
    void badNumbersNameTheFlag() {
        Path run = temp.resolve("r");
        assertOneLine(CliRunner.run(tiny(run, "--lr", "-1")), ExitCode.USAGE, "--lr must be a positive number, got -1.0");
        assertOneLine(CliRunner.run(tiny(run, "--lr", "NaN")), ExitCode.USAGE, "--lr must be a positive number");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--batch-size", "0", "--run", run.toString()),
                ExitCode.USAGE, "--batch-size must be a positive number");
        assertOneLine(CliRunner.run(tiny(run, "--epochs", "x")), ExitCode.USAGE, "--epochs", "'x'");
        assertOneLine(CliRunner.run(tiny(run, "--epochs", "0")), ExitCode.USAGE, "--epochs must be a positive number");
        assertOneLine(CliRunner.run(tiny(run, "--momentum", "1")), ExitCode.USAGE, "--momentum must be in [0, 1)");
        assertOneLine(CliRunner.run(tiny(run, "--wd", "-1e-4")), ExitCode.USAGE, "--wd must be zero or positive");
        assertOneLine(CliRunner.run("train", "--data", "synthetic", "--train-limit", "0", "--run", run.toString()),
                ExitCode.USAGE, "--train-limit must be a positive number");
        assertOneLine(CliRunner.run(tiny(run, "--snapshots-per-epoch", "0")), ExitCode.USAGE, "--snapshots-per-epoch");
        assertOneLine(CliRunner.run(tiny(run, "--milestones", "0.5,1.5")), ExitCode.USAGE, "milestones", "1.5");
        assertOneLine(CliRunner.run(tiny(run, "--twa-after", "1", "--twa-lr", "-1")), ExitCode.USAGE,
                "--twa-lr must be a positive number");
        assertOneLine(CliRunner.run(tiny(run, "--twa-after", "1", "--twa-epochs", "0")), ExitCode.USAGE,
                "--twa-epochs must be a positive number");
        assertThat(run).doesNotExist();
    }

    @Test
    void badTwaNumbersNameTheFlag() throws IOException {
        Path run = copyOfBase("c");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--lr", "-1"), ExitCode.USAGE, "--lr must be a positive number");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--batch-size", "0"), ExitCode.USAGE,
                "--batch-size must be a positive number");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--epochs", "0"), ExitCode.USAGE,
                "--epochs must be a positive number");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--tolerance", "2"), ExitCode.USAGE,
                "--tolerance must be in (0, 1)");
        assertNothingHalfWritten(run);
    }

    @Test
    void aSnapshotRangeOutsideTheRunIsRefusedNamingTheFlags() throws IOException {
        Path run = copyOfBase("c");
        String dir = run.toString();
        assertOneLine(CliRunner.run("twa", "--run", dir, "--params-start", "2", "--params-end", "2"), ExitCode.USAGE,
                "--params-end (2) must be greater than --params-start (2)");
        assertOneLine(CliRunner.run("twa", "--run", dir, "--params-start", "2", "--params-end", "1"), ExitCode.USAGE,
                "--params-end (1) must be greater than --params-start (2)");
        assertOneLine(CliRunner.run("twa", "--run", dir, "--params-end", "9"), ExitCode.USAGE,
                "--params-end 9 reaches past the last snapshot", "snapshots 0..2", "at most 3");
        assertOneLine(CliRunner.run("twa", "--run", dir, "--params-start", "-1"), ExitCode.USAGE, "--params-start must be >= 0");
        assertOneLine(CliRunner.run("twa", "--run", dir, "--params-stride", "0"), ExitCode.USAGE, "--params-stride must be >= 1");
        assertOneLine(CliRunner.run("twa", "--run", dir, "--train-start", "5"), ExitCode.USAGE,
                "--train-start must be -1 (the mean) or a snapshot 0..2, got 5");
        assertNothingHalfWritten(run);
    }

    @Test
    void fewerThanTwoSnapshotsForTwaAreRefused() throws IOException {
        Path run = copyOfBase("c");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--params-start", "2"), ExitCode.USAGE,
                "TWA needs at least 2 snapshots; [2, 3) with stride 1 holds 1");
        assertOneLine(CliRunner.run("twa", "--run", run.toString(), "--params-start", "1", "--params-stride", "2"),
                ExitCode.USAGE, "TWA needs at least 2 snapshots; [1, 3) with stride 2 holds 1");
        assertNothingHalfWritten(run);
        // train --twa-after E keeps E + 1 snapshots: E must be at least 1 (and within the budget)
        Path fresh = temp.resolve("r");
        assertOneLine(CliRunner.run(tiny(fresh, "--epochs", "2", "--twa-after", "0")), ExitCode.USAGE,
                "--twa-after must be between 1 and --epochs (2), got 0");
        assertOneLine(CliRunner.run(tiny(fresh, "--epochs", "2", "--twa-after", "3")), ExitCode.USAGE,
                "--twa-after must be between 1 and --epochs (2), got 3");
        assertThat(fresh).doesNotExist();
    }

    @Test
    void moreSnapshotsPerEpochThanStepsAreRefusedBeforeAnythingIsWritten() {
        Path run = temp.resolve("r");
        // 64 images in batches of 16: 4 steps, so at most 4 snapshots per epoch
        assertOneLine(CliRunner.run(tiny(run, "--snapshots-per-epoch", "5")), ExitCode.USAGE,
                "--snapshots-per-epoch 5 is more than the 4 steps of an epoch");
        assertThat(run).doesNotExist();
    }

    @Test
    void evalOfAMissingRunOrSnapshotIsClear() throws IOException {
        assertOneLine(CliRunner.run("eval", "--run", temp.resolve("nothing").toString(), "--snapshot", "0"),
                ExitCode.BAD_INPUT, "run.json");
        assertOneLine(CliRunner.run("eval", "--run", temp.toString()), ExitCode.USAGE, "--snapshot");
        assertOneLine(CliRunner.run("eval", "--run", base.toString(), "--snapshot", "3"), ExitCode.USAGE,
                "--snapshot 3 is not a snapshot of run " + base + ": it has 0..2");
        assertOneLine(CliRunner.run("eval", "--run", base.toString(), "--snapshot", "-1"), ExitCode.USAGE, "--snapshot -1");
        assertOneLine(CliRunner.run("eval", "--run", base.toString(), "--weights", temp.resolve("none.safetensors").toString()),
                ExitCode.BAD_INPUT, "none.safetensors does not exist");
    }

    // files

    @Test
    void aMissingDatasetNamesTheFilesExpected() {
        Path empty = temp.resolve("empty");
        CliRunner.Result result = CliRunner.run("train", "--data", "cifar10", "--data-dir", empty.toString(), "--run", temp.resolve("r").toString());
        assertOneLine(result, ExitCode.BAD_INPUT, "data_batch_1.bin");
        assertThat(temp.resolve("r")).doesNotExist();
    }

    @Test
    void aTruncatedOrMalformedIdxFileIsNamed() throws IOException {
        Path data = temp.resolve("fashion");
        Path run = temp.resolve("r");
        String[] train = {"train", "--data", "fashion-mnist", "--data-dir", data.toString(), "--batch-size", "4",
            "--epochs", "1", "--device", "cpu", "--run", run.toString()};
        writeIdx(data.resolve("train-images-idx3-ubyte"), 2051, new int[] {8, 28, 28}, randomBytes(1, 8 * 784));
        writeIdx(data.resolve("train-labels-idx1-ubyte"), 2049, new int[] {8}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        writeIdx(data.resolve("t10k-images-idx3-ubyte"), 2051, new int[] {4, 28, 28}, randomBytes(2, 4 * 784));
        writeIdx(data.resolve("t10k-labels-idx1-ubyte"), 2049, new int[] {4}, new byte[] {9, 8, 12, 6});

        Path labels = data.resolve("t10k-labels-idx1-ubyte");
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, labels + ": label 12 of item 2 is not in [0, 10)");

        Path images = data.resolve("train-images-idx3-ubyte");
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length - 100));
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, images + ": truncated", "but only 6172 follow");

        Files.delete(images);
        Path gzip = data.resolve("train-images-idx3-ubyte.gz");
        byte[] compressed = gzip(whole);
        Files.write(gzip, Arrays.copyOf(compressed, compressed.length - 5));
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, gzip + ": truncated or corrupt gzip data");

        writeIdx(gzip, 2051, new int[] {8, 32, 32}, randomBytes(3, 8 * 1024));
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, gzip + ": images are 32x32, but fashion-mnist/train images are 28x28");
        assertThat(run).doesNotExist();
    }

    @Test
    void aTruncatedOrMalformedCifarFileIsNamed() throws IOException {
        Path data = temp.resolve("cifar");
        Path run = temp.resolve("r");
        String[] train = {"train", "--data", "cifar10", "--data-dir", data.toString(), "--batch-size", "4",
            "--epochs", "1", "--device", "cpu", "--run", run.toString()};
        int record = 1 + 3 * 32 * 32;
        for (String name : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")) {
            byte[] bytes = randomBytes(name.hashCode(), 2 * record);
            bytes[0] = 3;
            bytes[record] = 7;
            Files.createDirectories(data);
            Files.write(data.resolve(name + ".bin"), bytes);
        }
        Path batch3 = data.resolve("data_batch_3.bin");
        Files.write(batch3, Arrays.copyOf(Files.readAllBytes(batch3), 2 * record - 100));
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, batch3 + ": size 6046 bytes", "3073-byte CIFAR-10 record");

        Files.write(batch3, randomBytes(5, record)); // whole again, its label byte random
        Files.write(batch3, new byte[] {(byte) 200}, java.nio.file.StandardOpenOption.WRITE);
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, batch3 + ": label 200 of record 0 is not in [0, 10)");

        Files.write(batch3, new byte[] {1}, java.nio.file.StandardOpenOption.WRITE);
        Path test = data.resolve("test_batch.bin");
        byte[] bytes = Files.readAllBytes(test);
        bytes[record] = 10;
        Files.write(test, bytes);
        assertOneLine(CliRunner.run(train), ExitCode.BAD_INPUT, test + ": label 10 of record 1 is not in [0, 10)");
        assertThat(run).doesNotExist();
    }

    @Test
    void aDamagedSnapshotIsRefusedByTwaAndEvalNamingIndexAndFile() throws IOException {
        Path run = copyOfBase("c");
        SnapshotStore store = SnapshotStore.open(run);
        Path one = store.file(1);
        byte[] intact = Files.readAllBytes(one);
        byte[] flipped = intact.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(one, flipped);
        for (String[] args : List.of(new String[] {"eval", "--run", run.toString(), "--snapshot", "1"},
                new String[] {"twa", "--run", run.toString(), "--epochs", "1"})) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, "snapshot 1: " + one + " is corrupt: its SHA-256 is");
        }
        Files.write(one, intact);
        Path two = store.file(2);
        long size = Files.size(two);
        Files.write(two, Arrays.copyOf(Files.readAllBytes(two), 1000));
        for (String[] args : List.of(new String[] {"eval", "--run", run.toString(), "--snapshot", "2"},
                new String[] {"twa", "--run", run.toString(), "--epochs", "1"})) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, "snapshot 2: " + two + " is truncated: 1000 bytes, the snapshot manifest records " + size);
        }
        assertNothingHalfWritten(run);
    }

    @Test
    void aDamagedWeightsFileIsRefusedByEvalNamingIt() throws IOException {
        Path weights = temp.resolve("weights.safetensors");
        byte[] snapshot = Files.readAllBytes(SnapshotStore.open(base).file(2));
        Files.write(weights, Arrays.copyOf(snapshot, snapshot.length - 4));
        assertOneLine(CliRunner.run("eval", "--run", base.toString(), "--weights", weights.toString()), ExitCode.BAD_INPUT,
                weights + ": truncated");
        Files.writeString(weights, "{\"not\": \"safetensors\"}");
        assertOneLine(CliRunner.run("eval", "--run", base.toString(), "--weights", weights.toString()), ExitCode.BAD_INPUT,
                weights + ": ");
    }

    @Test
    void aDamagedManifestIsRefusedByTwaEvalAndInspectNamingIt() throws IOException {
        Path run = copyOfBase("c");
        Path manifest = run.resolve("snapshots/manifest.json");
        byte[] bytes = Files.readAllBytes(manifest);
        Files.write(manifest, Arrays.copyOf(bytes, bytes.length / 2));
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, manifest + ": manifest is not valid JSON");
        }
        Files.writeString(manifest, new String(bytes, StandardCharsets.UTF_8).replace("\"index\" : 1", "\"index\" : 7"));
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, manifest + ": snapshots[1] has index 7");
        }
        Files.delete(manifest);
        Files.createDirectories(manifest);
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, manifest + ": cannot read: Is a directory");
        }
        Files.delete(manifest);
        assertNothingHalfWritten(run);
    }

    @Test
    void aDamagedRunJsonIsRefusedByTwaEvalAndInspectNamingIt() throws IOException {
        Path run = copyOfBase("c");
        Path config = run.resolve("run.json");
        String text = Files.readString(config);
        Files.writeString(config, text.substring(0, text.length() / 2));
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, config + ": not a valid run configuration");
        }
        assertThat(text).contains("\"epochs\" : 2,");
        Files.writeString(config, text.replace("\"epochs\" : 2,", "\"epochs\" : 2.5,"));
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, config + ": not a valid run configuration: 'epochs'", "2.5");
        }
        Files.writeString(config, text.replace("\"model\" : \"cnn\"", "\"model\" : \"alexnet\""));
        for (String[] args : commandsReading(run)) {
            assertOneLine(CliRunner.run(args), ExitCode.BAD_INPUT, config + ": 'model': unknown model 'alexnet'");
        }
        assertNothingHalfWritten(run);
    }

    /** eval, twa and inspect of {@code run}: each reads run.json and the manifest. */
    private static List<String[]> commandsReading(Path run) {
        return List.of(new String[] {"eval", "--run", run.toString(), "--snapshot", "0"},
                new String[] {"twa", "--run", run.toString(), "--epochs", "1"},
                new String[] {"inspect", "--run", run.toString()});
    }

    @Test
    void snapshotsOfAnotherArchitectureAreRefusedByTwaNamingSnapshotAndParameter() throws IOException {
        Path renamed = withSnapshotOne("renamed", tensors -> tensors.put("05Conv2d_kernel", tensors.remove("05Conv2d_weight")));
        assertOneLine(CliRunner.run("twa", "--run", renamed.toString(), "--epochs", "1"), ExitCode.BAD_INPUT,
                "snapshot 1 (", "does not match the run's model", "parameter 05Conv2d_weight is missing");
        assertNothingHalfWritten(renamed);

        Path reshaped = withSnapshotOne("reshaped",
                tensors -> tensors.put("12Linear_weight", tensors.get("12Linear_weight").getManager().zeros(new Shape(100, 128))));
        assertOneLine(CliRunner.run("twa", "--run", reshaped.toString(), "--epochs", "1"), ExitCode.BAD_INPUT,
                "snapshot 1 (", "parameter 12Linear_weight has shape (100, 128), the model needs (10, 128)");
        assertNothingHalfWritten(reshaped);
    }

    /** A copy of the trained run whose snapshot 1 is changed by {@code change} (a valid store: checksums match). */
    private Path withSnapshotOne(String name, java.util.function.Consumer<Map<String, NDArray>> change) throws IOException {
        Path run = copyOfBase(name);
        SnapshotStore original = SnapshotStore.open(base);
        deleteTree(run.resolve("snapshots"));
        SnapshotStore store = SnapshotStore.create(run);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (SnapshotInfo info : original.list()) {
                Map<String, NDArray> tensors = new LinkedHashMap<>(original.read(info.index(), manager));
                if (info.index() == 1) {
                    change.accept(tensors);
                }
                store.add(info.meta(), tensors);
            }
        }
        return run;
    }

    @Test
    void anExistingRunIsRefusedWithoutOverwrite() throws IOException {
        Path run = temp.resolve("r");
        Files.createDirectories(run);
        Files.writeString(run.resolve("keep.txt"), "precious");
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--run", run.toString());
        assertOneLine(result, ExitCode.USAGE, "run directory " + run + " already exists and is not empty", "--overwrite");
        assertThat(run.resolve("keep.txt")).hasContent("precious");
        try (Stream<Path> entries = Files.list(run)) {
            assertThat(entries).hasSize(1);
        }
    }

    // divergence

    private static final Pattern DIVERGED = Pattern.compile("twa4j: loss became (NaN|-?Infinity) at epoch (\\d+), step (\\d+);");

    @Test
    void aDivergingTrainingEndsWithExit4AndKeepsTheSnapshotsTakenBeforeIt() throws IOException {
        Path run = temp.resolve("r");
        // lr 1e4: here epoch 1 ends with huge but finite losses and epoch 2 meets a NaN; where exactly
        // depends on the CPU's arithmetic, so what is asserted holds wherever it diverges
        CliRunner.Result result = CliRunner.run(tiny(run, "--epochs", "3", "--lr", "1e4", "--schedule", "constant"));
        assertOneLine(result, ExitCode.DIVERGED, "lower the learning rate");
        Matcher m = DIVERGED.matcher(result.err());
        assertThat(m.find()).as(result.err()).isTrue();
        int epoch = Integer.parseInt(m.group(2));
        assertThat(epoch).isBetween(1, 3);
        assertThat(Integer.parseInt(m.group(3))).isBetween(1, 4);
        // the initialisation and one snapshot per completed epoch, each intact
        SnapshotStore store = SnapshotStore.open(run);
        assertThat(store.size()).isEqualTo(epoch);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < store.size(); i++) {
                assertThat(store.read(i, manager)).hasSize(16);
            }
        }
        Path metrics = run.resolve("metrics.jsonl"); // written from the first completed epoch on
        assertThat(Files.exists(metrics) ? Files.readAllLines(metrics) : List.<String>of()).hasSize(epoch - 1);
        CliRunner.Result eval = CliRunner.run("eval", "--run", run.toString(), "--snapshot", String.valueOf(epoch - 1));
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertNothingHalfWritten(run);
    }

    @Test
    void aDivergingTwaEndsWithExit4AndWritesNoResult() throws IOException {
        Path run = copyOfBase("c");
        CliRunner.Result twa = CliRunner.run("twa", "--run", run.toString(), "--epochs", "1", "--lr", "1e30");
        assertOneLine(twa, ExitCode.DIVERGED, "at epoch 1, step ");
        assertThat(DIVERGED.matcher(twa.err()).find()).as(twa.err()).isTrue();
        assertNothingHalfWritten(run);
        SnapshotStore store = SnapshotStore.open(run);
        for (int i = 0; i < store.size(); i++) {
            store.verify(i);
        }

        Path direct = temp.resolve("direct");
        CliRunner.Result after = CliRunner.run(tiny(direct, "--epochs", "1", "--twa-after", "1", "--twa-epochs", "1",
                "--twa-lr", "1e30"));
        assertOneLine(after, ExitCode.DIVERGED, "at epoch 1, step ");
        assertNothingHalfWritten(direct);
        assertThat(direct.resolve("snapshots")).doesNotExist();
    }

    // helpers

    private static byte[] randomBytes(long seed, int n) {
        byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static void writeIdx(Path file, int magic, int[] dims, byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(body);
        Files.createDirectories(file.getParent());
        Files.write(file, file.toString().endsWith(".gz") ? gzip(bytes.toByteArray()) : bytes.toByteArray());
    }

    private static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
