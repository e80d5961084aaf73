package io.twa4j.run.soup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.io.Json;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.twa.TwaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soups of three ingredients from one small run on synthetic data with a held-out part: its
 * initialisation (a bad model), its trained weights, and the trained weights with noise.
 */
class SoupTest {

    @TempDir
    static Path temp;

    private static RunConfig config;
    private static List<String> ingredients;

    @BeforeAll
    static void trainTheIngredients() throws IOException {
        DataConfig data = DataConfig.of("synthetic").limit(1500, 300).heldOut(0.2, null);
        config = RunConfig.train(data, "cnn", OptimizerConfig.reference(2, 0.05), 1).withCommand("soup");
        Path run = temp.resolve("ingredients");
        TrainingJob.start(TrainingJob.Request.of(config.withCommand("train"), run), Console.silent());
        Path noisy = temp.resolve("noisy.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = SafeTensors.read(run.resolve("snapshots/000002.safetensors"), manager);
            tensors.replaceAll((name, value) -> name.contains("running") ? value
                    : value.add(manager.randomNormal(value.getShape()).mul(0.02f)));
            SafeTensors.write(noisy, tensors, Map.of());
        }
        ingredients = List.of(run + ":0", run + ":2", noisy.toString());
    }

    private static SoupResult soup(String method, Path out) {
        TwaSettings learning = new TwaSettings("learned", 0, 3, 1, -1, 2, 2, 1e-5, 0.9, "linear", OptimizerConfig.REFERENCE_MILESTONES,
                64, 1e-6, "f32", "val", true, "global");
        return SoupJob.run(new SoupJob.Request(ingredients, config, out, method, learning, "per-layer", Device.cpu(), false),
                Console.silent());
    }

    /** The trainable parameters of each ingredient and of a soup's weights file, in float64. */
    private static List<double[]> trainable(List<Path> files) throws IOException {
        List<double[]> vectors = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Path file : files) {
                Map<String, NDArray> tensors = SafeTensors.read(file, manager);
                List<Double> values = new ArrayList<>();
                tensors.keySet().stream().filter(name -> !name.contains("running")).sorted()
                        .forEach(name -> { for (float v : tensors.get(name).toFloatArray()) { values.add((double) v); } });
                vectors.add(values.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        return vectors;
    }

    private static List<Path> ingredientFiles() {
        Path run = Path.of(ingredients.get(0).substring(0, ingredients.get(0).lastIndexOf(':')));
        return List.of(run.resolve("snapshots/000000.safetensors"), run.resolve("snapshots/000002.safetensors"),
                Path.of(ingredients.get(2)));
    }

    /**
     * Every entry of {@code soup} is {@code Σ cᵢ wᵢ} (in float64) to within {@code tolerance} of
     * {@code Σ |cᵢ wᵢ|}, the scale float32 rounding works at (the terms may cancel).
     */
    private static void assertCombination(List<double[]> vectors, double[] weights, double[] soup, double tolerance) {
        double worst = 0;
        for (int d = 0; d < soup.length; d++) {
            double expected = 0;
            double scale = 1e-12;
            for (int i = 0; i < weights.length; i++) {
                expected += weights[i] * vectors.get(i)[d];
                scale += Math.abs(weights[i] * vectors.get(i)[d]);
            }
            worst = Math.max(worst, Math.abs(soup[d] - expected) / scale);
        }
        System.out.printf("largest difference from the combination: %.2e of its terms' scale%n", worst);
        assertThat(worst).as("largest difference from Σ cᵢ wᵢ, relative to Σ |cᵢ wᵢ|").isLessThan(tolerance);
    }

    @Test
    void theUniformSoupIsTheMeanOfTheIngredients() throws IOException {
        SoupResult uniform = soup("uniform", temp.resolve("uniform"));
        List<Path> files = new ArrayList<>(ingredientFiles());
        files.add(uniform.directory().resolve("weights.safetensors"));
        List<double[]> vectors = trainable(files);
        assertCombination(vectors.subList(0, 3), new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, vectors.get(3), 1e-6);
        assertThat(Files.readAllLines(uniform.directory().resolve("coefficients.csv"))).hasSize(4).element(0).isEqualTo("model,coefficient");
        assertThat(uniform.directory().resolve("plots/accuracy.png")).isRegularFile();
    }

    @Test
    void theGreedySoupFollowsTheRule() throws IOException {
        Path out = temp.resolve("greedy");
        SoupResult greedy = soup("greedy", out);
        JsonNode summary = Json.TREE.readTree(Files.readString(greedy.directory().resolve("summary.json")));
        List<String> order = new ArrayList<>();
        summary.get("order").forEach(node -> order.add(node.asText()));
        List<Double> heldOut = new ArrayList<>();
        summary.get("ingredients").forEach(node -> heldOut.add(node.get("val_acc").asDouble()));
        // the order is by held-out accuracy, not as given: the initialisation comes last
        assertThat(order.get(2)).isEqualTo(ingredients.get(0));
        assertThat(heldOut.get(0)).isLessThan(Math.min(heldOut.get(1), heldOut.get(2)));
        List<String> chosen = new ArrayList<>();
        summary.get("chosen").forEach(node -> chosen.add(node.asText()));
        assertThat(chosen).doesNotContain(ingredients.get(0)).startsWith(order.get(0));
        double[] weights = greedy.weights().get(0);
        assertThat(weights[0]).isZero();
        List<Path> files = new ArrayList<>(ingredientFiles());
        files.add(greedy.directory().resolve("weights.safetensors"));
        List<double[]> vectors = trainable(files);
        assertCombination(vectors.subList(0, 3), weights, vectors.get(3), 1e-6);
        // a second method writes into the same directory, with the same data and split
        SoupResult uniform = soup("uniform", out);
        assertThat(uniform.directory()).isEqualTo(out.resolve("soup/uniform"));
        assertThatThrownBy(() -> soup("greedy", out)).isInstanceOf(RunError.class).hasMessageContaining("already exists");
    }

    @Test
    void aGreedySoupKeepsOnlyTheBestWhenTheOtherSpoilsIt() throws IOException {
        List<String> two = List.of(ingredients.get(0), ingredients.get(1)); // the initialisation and the trained weights
        SoupResult greedy = SoupJob.run(new SoupJob.Request(two, config, temp.resolve("greedy-two"), "greedy", null, null, Device.cpu(),
                false), Console.silent());
        assertThat(greedy.weights().get(0)).containsExactly(0.0, 1.0);
    }

    @Test
    void everyCommandOnTheSameDataHoldsOutTheSameImages() {
        RunConfig other = config.withSeed(99).withCommand("finetune");
        try (var a = io.twa4j.run.Workspace.open(config, Device.cpu()); var b = io.twa4j.run.Workspace.open(other, Device.cpu())) {
            var heldA = a.heldOutImages();
            var heldB = b.heldOutImages();
            assertThat(heldA.size()).isEqualTo(300).isEqualTo(heldB.size());
            for (int i = 0; i < heldA.size(); i++) {
                assertThat(((io.twa4j.vision.data.ImageSet) heldB).image(i)).isEqualTo(((io.twa4j.vision.data.ImageSet) heldA).image(i));
            }
            assertThat(a.trainBatches().size()).isEqualTo(1200);
        }
    }

    @Test
    void theLearnedSoupIsACombinationOfTheIngredients() throws IOException {
        SoupResult learned = soup("learned", temp.resolve("learned"));
        List<Path> files = new ArrayList<>(ingredientFiles());
        files.add(learned.directory().resolve("weights.safetensors"));
        List<double[]> vectors = trainable(files);
        assertCombination(vectors.subList(0, 3), learned.weights().get(0), vectors.get(3), 1e-4);
        assertThat(Files.readAllLines(temp.resolve("learned/metrics.jsonl"))).anyMatch(line -> line.contains("\"soup-learned\""));
    }

    @Test
    void theLearnedSoupByLayerIsACombinationInEveryBlock() throws IOException {
        SoupResult byLayer = soup("learned-by-layer", temp.resolve("by-layer"));
        assertThat(byLayer.blocks()).hasSizeGreaterThan(2).allMatch(name -> !name.endsWith("_weight"));
        List<Path> files = new ArrayList<>(ingredientFiles());
        files.add(byLayer.directory().resolve("weights.safetensors"));
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Map<String, NDArray>> tensors = new ArrayList<>();
            for (Path file : files) {
                tensors.add(SafeTensors.read(file, manager));
            }
            int checked = 0;
            for (String name : tensors.get(3).keySet()) {
                if (name.contains("running")) {
                    continue;
                }
                int block = byLayer.blocks().indexOf(name.substring(0, name.lastIndexOf('_')));
                assertThat(block).as(name).isNotNegative();
                List<double[]> vectors = new ArrayList<>();
                for (Map<String, NDArray> file : tensors) {
                    float[] values = file.get(name).toFloatArray();
                    vectors.add(java.util.stream.IntStream.range(0, values.length).mapToDouble(k -> values[k]).toArray());
                }
                assertCombination(vectors.subList(0, 3), byLayer.weights().get(block), vectors.get(3), 1e-4);
                checked++;
            }
            assertThat(checked).isGreaterThan(byLayer.blocks().size());
        }
        List<String> csv = Files.readAllLines(byLayer.directory().resolve("coefficients.csv"));
        assertThat(csv.get(0)).isEqualTo("model,block,coefficient");
        assertThat(csv).hasSize(1 + 3 * byLayer.blocks().size());
    }

    @Test
    void aSoupNeedsAHeldOutPartAndIngredientsOfItsModel() throws IOException {
        RunConfig noSplit = RunConfig.train(DataConfig.of("synthetic").limit(1500, 300), "cnn", OptimizerConfig.reference(2, 0.05), 1);
        assertThatThrownBy(() -> SoupJob.run(new SoupJob.Request(ingredients, noSplit, temp.resolve("x"), "uniform", null, null, Device.cpu(),
                false), Console.silent())).isInstanceOf(RunError.class).hasMessageContaining("--val-ratio");
        Path odd = temp.resolve("odd.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = SafeTensors.read(ingredientFiles().get(1), manager);
            NDArray moved = tensors.remove(tensors.keySet().iterator().next());
            tensors.put("renamed_weight", moved);
            SafeTensors.write(odd, tensors, Map.of());
        }
        List<String> withOdd = List.of(ingredients.get(1), odd.toString());
        assertThatThrownBy(() -> SoupJob.run(new SoupJob.Request(withOdd, config, temp.resolve("y"), "uniform", null, null, Device.cpu(),
                false), Console.silent())).isInstanceOf(RunError.class).hasMessageContaining(odd.toString())
                .hasMessageContaining("renamed_weight");
        assertThat(temp.resolve("y")).doesNotExist();
    }
}
