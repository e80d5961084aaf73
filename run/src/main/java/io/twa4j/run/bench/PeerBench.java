package io.twa4j.run.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.report.ResidentMemory;
import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.ImageBatchSource;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * twa4j and PyTorch on the same work, one after the other in one run ({@code twa4j bench --peer}):
 * the same model definitions (PyTorch's from {@code reference_models.py}, which the interop tests
 * check twa4j's zoo against), the same Fashion-MNIST, batch order (twa4j's epoch-0 permutation,
 * handed over) and thread count, the same optimiser. Figures: two {@code cnn} training epochs (the
 * first with the warm-up, the second steady) and their test evaluations, median steps of cnn, PreResNet20 and resnet18 (split into forward/backward and
 * update), the TWA step (PyTorch: the reference's {@code g ← Pᵀ(P g)} then SGD), a BatchNorm update
 * pass, an evaluation, and each workload's peak resident memory. The ratio is twa4j / PyTorch.
 *
 * @param settings what to run
 */
public record PeerBench(Settings settings) {

    /** A model whose steps are timed, and its input (C, H, W). */
    record StepModel(String name, Shape input) {}

    /** The models whose steps are timed, in the report's order. */
    static final List<StepModel> STEP_MODELS = List.of(new StepModel("cnn", new Shape(1, 28, 28)),
            new StepModel("PreResNet20", new Shape(3, 32, 32)), new StepModel("resnet18", new Shape(3, 32, 32)));

    /** The epochs trained: the first (engine and JIT warming up) and one in the steady state. */
    static final int EPOCHS = 2;

    /**
     * What to run.
     *
     * @param dataDir Fashion-MNIST's directory, or null for its default
     * @param trainLimit training examples of the epoch and the BN pass (null: all 60,000)
     * @param testLimit test examples (null: all 10,000)
     * @param batchSize the training batch size
     * @param evalBatchSize the evaluation batch size
     * @param rows the TWA basis rows n
     * @param warmup untimed steps before the timed ones
     * @param steps timed steps per model
     * @param python the interpreter with torch, or null for {@code TWA4J_TORCH_PYTHON}, else {@code python3}
     */
    public record Settings(String dataDir, Integer trainLimit, Integer testLimit, int batchSize, int evalBatchSize, int rows,
            int warmup, int steps, String python) {}

    /**
     * One figure.
     *
     * @param figure what was measured
     * @param unit its unit (s, ms, MiB, or empty)
     * @param twa4j twa4j's value, or null
     * @param pytorch PyTorch's value, or null where it was not measured
     */
    public record Row(String figure, String unit, Double twa4j, Double pytorch) {

        /** twa4j / PyTorch, or null. */
        public Double ratio() {
            return twa4j == null || pytorch == null || pytorch == 0 ? null : twa4j / pytorch;
        }
    }

    /**
     * The figures in order, and what was skipped and why.
     *
     * @param rows the figures
     * @param notes one line each: a side or a workload skipped, and why; the versions compared
     */
    public record Report(List<Row> rows, List<String> notes) {}

    /** Measures twa4j's side, then PyTorch's (never both at once); {@code progress} hears each workload. */
    public Report run(PrintStream progress) {
        List<String> notes = new ArrayList<>();
        Map<String, Object> ours = new LinkedHashMap<>();
        DataPass data = measureData(ours, notes, progress);
        measureSteps(ours, progress);
        progress.println("twa4j: the TWA step of cnn (n = " + settings.rows() + ")");
        ours.put("twa", new TwaStepBench(settings.rows(), settings.steps(), settings.warmup(), settings.batchSize(), null, "f32")
                .measure("cnn"));
        PeerPython python = PeerPython.find(settings.python());
        Map<String, Object> theirs = Map.of();
        if (python.missing() != null) {
            notes.add("PyTorch side skipped: " + python.missing());
        } else {
            progress.println("PyTorch " + python.version() + ": the same workloads");
            theirs = python.run(spec(data), data == null ? null : data.order());
            notes.add("PyTorch " + theirs.get("torch") + " with " + theirs.get("threads") + " threads");
        }
        return new Report(PeerRows.of(ours, theirs, settings.rows()), notes);
    }

    /**
     * What the data workloads ran on.
     *
     * @param order the epochs' batch orders, one after the other
     * @param train the training examples
     * @param test the test examples
     */
    private record DataPass(int[] order, int train, int test) {}

    /**
     * Two cnn epochs (SGD lr 0.1, momentum 0.9, wd 1e-4, as {@code twa4j train} runs them) each
     * with its evaluation, a BN pass and an evaluation on Fashion-MNIST into {@code out}; what
     * they ran on, or null without the data.
     */
    private DataPass measureData(Map<String, Object> out, List<String> notes, PrintStream progress) {
        DataConfig data = new DataConfig("fashion-mnist", settings.dataDir(), settings.trainLimit(), settings.testLimit(),
                settings.batchSize(), settings.evalBatchSize(), false, null, null);
        RunConfig config = RunConfig.train(data, "cnn", new OptimizerConfig(1, 0.1, 0.9, 1e-4, "constant", List.of(0.5)), 1);
        try (Workspace workspace = Workspace.open(config, null)) {
            BatchSource train;
            BatchSource test;
            try {
                train = workspace.trainBatches();
                test = workspace.testBatches();
            } catch (DatasetException e) {
                notes.add("epoch, BN pass and evaluation skipped: " + e.getMessage());
                return null;
            }
            progress.println("twa4j: two cnn epochs on Fashion-MNIST (" + train.size() + " training examples), each evaluated");
            List<Map<String, Object>> epochs = new ArrayList<>();
            Block block = workspace.block();
            try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), 0.9, 1e-4)) {
                TrainingLoop loop = TrainingLoop.builder().setBlock(block).setManager(workspace.manager()).setUpdateRule(sgd)
                        .setSchedule(Schedules.constant(0.1)).build();
                for (int e = 0; e < EPOCHS; e++) {
                    int first = e;
                    Map<String, Object> epoch = new LinkedHashMap<>();
                    ResidentMemory.Measured<Double> trained = ResidentMemory.peakOf(() -> seconds(() -> loop.run(train, null, first,
                            first + 1)));
                    ResidentMemory.Measured<Double> evaluated = ResidentMemory.peakOf(
                            () -> seconds(() -> epoch.put("test_acc", workspace.evaluate(test).top1())));
                    epoch.put("train_s", trained.value());
                    epoch.put("eval_s", evaluated.value());
                    epoch.put("peak_rss_mib", larger(trained.peakMib(), evaluated.peakMib()));
                    epochs.add(epoch);
                }
            }
            out.put("epochs", epochs);
            progress.println("twa4j: a BatchNorm update pass, an evaluation");
            out.put("bn_pass", timedWithPeak(() -> BatchNormUpdate.run(workspace.block(), workspace.manager(), train)));
            out.put("eval", timedWithPeak(() -> workspace.evaluate(test)));
            ImageBatchSource images = (ImageBatchSource) train;
            int[] order = IntStream.range(0, EPOCHS).flatMap(e -> Arrays.stream(images.order(e))).toArray();
            return new DataPass(order, train.size(), test.size());
        }
    }

    /** Median SGD steps of every model in {@link #STEP_MODELS} on random inputs into {@code out}. */
    private void measureSteps(Map<String, Object> out, PrintStream progress) {
        Map<String, Object> steps = new LinkedHashMap<>();
        for (StepModel model : STEP_MODELS) {
            progress.println("twa4j: " + model.name() + " steps on " + model.input());
            BatchSource batches = BenchSteps.syntheticBatches(model.input(), settings.batchSize(), settings.warmup() + settings.steps());
            ResidentMemory.Measured<BenchSteps.Split> timed = ResidentMemory.peakOf(() -> {
                try (NDManager manager = NDManager.newBaseManager()) {
                    Block block = BenchSteps.model(model.name(), model.input(), manager);
                    try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), 0.9, 1e-4)) {
                        return BenchSteps.time(block, manager, sgd, batches, settings.warmup());
                    }
                }
            });
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("step_ms", timed.value().stepMs());
            result.put("forward_backward_ms", timed.value().forwardBackwardMs());
            result.put("update_ms", timed.value().updateMs());
            result.put("peak_rss_mib", timed.peakMib());
            steps.put(model.name(), result);
        }
        out.put("steps", steps);
    }

    /** The spec PyTorch's side runs: the same workloads and sizes. */
    private Map<String, Object> spec(DataPass pass) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("threads", PeerPython.engineThreads());
        if (pass != null) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("dir", settings.dataDir() != null ? settings.dataDir() : Datasets.byName("fashion-mnist").defaultDir().toString());
            data.put("train_limit", pass.train());
            data.put("test_limit", pass.test());
            spec.put("data", data);
            spec.put("epoch", Map.of("epochs", EPOCHS, "batch_size", settings.batchSize(), "eval_batch_size", settings.evalBatchSize()));
            spec.put("bn_pass", Map.of("batch_size", settings.batchSize()));
            spec.put("eval", Map.of("eval_batch_size", settings.evalBatchSize()));
        }
        List<List<Object>> models = new ArrayList<>();
        STEP_MODELS.forEach(model -> models.add(List.of(model.name(), model.input().getShape())));
        spec.put("steps", Map.of("models", models, "batch_size", settings.batchSize(), "warmup", settings.warmup(), "timed",
                settings.steps()));
        spec.put("twa", Map.of("model", "cnn", "shape", STEP_MODELS.get(0).input().getShape(), "n", settings.rows(), "batch_size",
                settings.batchSize(), "warmup", settings.warmup(), "timed", settings.steps()));
        return spec;
    }

    private static double seconds(Runnable work) {
        long started = System.nanoTime();
        work.run();
        return (System.nanoTime() - started) / 1e9;
    }

    /** {@code seconds} and {@code peak_rss_mib} of {@code work}. */
    private static Map<String, Object> timedWithPeak(Supplier<?> work) {
        ResidentMemory.Measured<Double> measured = ResidentMemory.peakOf(() -> seconds(work::get));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("seconds", measured.value());
        result.put("peak_rss_mib", measured.peakMib());
        return result;
    }

    private static Long larger(Long a, Long b) {
        return a == null || b == null ? null : Math.max(a, b);
    }
}
