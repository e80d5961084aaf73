package io.twa4j.run.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --peer} on tiny workloads: twa4j's side alone when PyTorch is missing (with the
 * reason), both sides with every figure where it is installed ({@code TWA4J_TORCH_PYTHON}).
 */
class PeerBenchTest {

    private static final boolean FASHION_MNIST = Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"));

    private static PeerBench.Settings tiny(String python) {
        return new PeerBench.Settings(null, 256, 250, 64, 250, 4, 1, 2, python);
    }

    @Test
    void withoutPyTorchMeasuresTwa4jAloneAndSaysWhy() {
        PeerBench.Report report = new PeerBench(tiny("/nonexistent/python")).run(System.err);
        assertThat(report.notes()).anyMatch(note -> note.startsWith("PyTorch side skipped: no Python at /nonexistent/python"));
        assertThat(report.rows()).isNotEmpty().allMatch(row -> row.pytorch() == null && row.ratio() == null);
        List<String> timed = report.rows().stream().filter(row -> row.unit().equals("ms")).map(PeerBench.Row::figure).toList();
        assertThat(timed).contains("cnn (1, 28, 28) step", "PreResNet20 (3, 32, 32) step", "resnet18 (3, 32, 32) step",
                "cnn TWA step (n = 4)");
        report.rows().stream().filter(row -> row.unit().equals("ms")).forEach(row -> assertThat(row.twa4j()).isPositive());
        if (FASHION_MNIST) {
            assertThat(report.rows()).anyMatch(row -> row.figure().equals("cnn epoch 2: training") && row.twa4j() > 0);
        } else {
            assertThat(report.notes()).anyMatch(note -> note.startsWith("epoch, BN pass and evaluation skipped"));
        }
    }

    @Test
    void withPyTorchEveryFigureHasBothSides() {
        String python = System.getenv("TWA4J_TORCH_PYTHON");
        assumeThat(python).as("TWA4J_TORCH_PYTHON names a Python with torch").isNotBlank();
        assumeThat(PeerPython.find(python).missing()).as("torch imports").isNull();
        PeerBench.Report report = new PeerBench(tiny(python)).run(System.err);
        assertThat(report.notes()).anyMatch(note -> note.startsWith("PyTorch 2"));
        for (PeerBench.Row row : report.rows()) {
            assertThat(row.twa4j()).as(row.figure()).isNotNull();
            assertThat(row.pytorch()).as(row.figure()).isNotNull();
            assertThat(row.ratio()).as(row.figure()).isPositive();
        }
        if (FASHION_MNIST) {
            // the same work: both trained the same model on the same batches, so both learn (256 examples, 2 epochs)
            PeerBench.Row accuracy = report.rows().stream().filter(row -> row.figure().equals("cnn epoch 2: test accuracy")).findFirst()
                    .orElseThrow();
            assertThat(accuracy.twa4j()).isBetween(0.3, 1.0);
            assertThat(accuracy.pytorch()).isBetween(0.3, 1.0);
        }
    }

    @Test
    void numbersAreFoundByPathThroughMapsAndLists() {
        Map<String, Object> figures = Map.of("epochs", List.of(Map.of("train_s", 1.5), Map.of("train_s", 2)), "twa",
                Map.of("step_ms", 3.25, "name", "cnn"));
        assertThat(PeerRows.number(figures, "epochs", "1", "train_s")).isEqualTo(2.0);
        assertThat(PeerRows.number(figures, "twa", "step_ms")).isEqualTo(3.25);
        assertThat(PeerRows.number(figures, "epochs", "2", "train_s")).isNull();
        assertThat(PeerRows.number(figures, "twa", "name")).isNull();
        assertThat(PeerRows.number(figures, "steps", "cnn", "step_ms")).isNull();
    }
}
