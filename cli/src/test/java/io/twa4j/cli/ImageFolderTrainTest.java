package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --data imagefolder} on a tiny folder the test writes: 3 classes, JPEG and PNG of odd sizes, one corrupt. */
class ImageFolderTrainTest {

    @TempDir
    static Path temp;

    private static Path folder;

    @BeforeAll
    static void writeFolder() throws IOException {
        folder = temp.resolve("images");
        Random random = new Random(3);
        String[] classes = {"zebra", "ant", "moth"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < 4; i++) {
                String format = i % 2 == 0 ? "jpeg" : "png";
                write(folder.resolve("train/" + classes[c] + "/" + i + (i % 2 == 0 ? ".jpg" : ".PNG")), 23 + 7 * i, 37 - 3 * i, c, random,
                        format);
            }
            write(folder.resolve("val/" + classes[c] + "/v.jpeg"), 40, 30, c, random, "jpeg");
            write(folder.resolve("val/" + classes[c] + "/w.png"), 21, 33, c, random, "png");
        }
        Files.writeString(folder.resolve("train/ant/README.txt"), "ignored");
        Files.write(folder.resolve("train/moth/bad.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1});
    }

    private static void write(Path file, int w, int h, int tint, Random random, String format) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (random.nextInt(64) + 80 * tint) << (8 * tint));
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(image, format, file.toFile());
    }

    private static String[] train(Path run, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", "imagefolder", "--data-dir", folder.toString(),
                "--model", "cnn", "--image-size", "16", "--epochs", "1", "--batch-size", "4", "--data-workers", "2", "--device", "cpu",
                "--run", run.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsOneEpochSkippingTheCorruptImage() throws IOException {
        Path run = temp.resolve("run");
        CliRunner.Result result = CliRunner.run(train(run, "--skip-bad-images", "--val-limit", "3"));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).contains("bad.jpg").contains("1 skipped");
        JsonNode config = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(config.get("classes").asInt()).isEqualTo(3);
        assertThat(config.get("input_shape").toString()).isEqualTo("[3,16,16]");
        assertThat(config.get("image_size").asInt()).isEqualTo(16);
        assertThat(config.get("skip_bad_images").asBoolean()).isTrue();
        JsonNode metrics = new ObjectMapper().readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
        assertThat(metrics.get("test_acc").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.has("val_acc")).isTrue();
        assertThat(run.resolve("snapshots/000001.safetensors")).isRegularFile();
    }

    @Test
    void benchLoaderPrintsTheRateOfEachStage() {
        CliRunner.Result result = CliRunner.run("bench", "--loader", folder.toString(), "--images", "4", "--image-size", "16",
                "--data-workers", "1,2");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("4 images of " + folder + "/train, output 16x16");
        for (String stage : List.of("decode only", "decode + train transform", "loader, 1 worker", "loader, 2 workers")) {
            assertThat(result.out()).containsPattern("(?m)^" + java.util.regex.Pattern.quote(stage) + " +[0-9.]+ +[0-9.]+$");
        }
        CliRunner.Result none = CliRunner.run("bench", "--loader", temp.resolve("nowhere").toString());
        assertThat(none.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(none.err()).contains("nowhere").hasLineCount(1);
    }

    @Test
    void withoutSkipTheCorruptImageIsNamed() {
        CliRunner.Result result = CliRunner.run(train(temp.resolve("fails")));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains(folder.resolve("train/moth/bad.jpg").toString()).contains("not a readable image");
    }

    @Test
    void imageSizeIsRefusedForFixedSizeDatasets() {
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--image-size", "16", "--epochs", "1", "--run",
                temp.resolve("fixed").toString());
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("--image-size").contains("synthetic has images of a fixed size");
    }
}
