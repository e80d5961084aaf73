package io.twa4j.run.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.TimedCollective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.parallel.AllReducedGradients;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.SubspaceSgd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a data-parallel step exchanges and what that costs, on the ranks of a collective (every
 * rank measures the same; rank 0 reports): for data-parallel SGD (the D-length gradient), TWA in
 * coefficient form (n numbers) and TWA on a basis split by columns (the reference's design: the
 * D-length gradient and weights), the floats and bytes per step, the time spent in the exchange
 * (which includes waiting for the slowest rank), the time of the transfer alone (the same floats
 * all-reduced by ranks that start together) and the whole step's, on synthetic images.
 *
 * @param rows basis rows n
 * @param steps timed steps per mode (after three untimed ones)
 * @param batchSize the global batch size (each rank takes its share)
 */
public record ExchangeBench(int rows, int steps, int batchSize) {

    /** The modes measured: their names, in order. */
    public static final List<String> MODES = List.of("sgd", "twa", "twa-split-basis");

    /** One row per mode for {@code model}: model, mode, workers, D, n, floats/bytes per step, exchange and step ms, share. */
    public List<Map<String, Object>> measure(String model, Collective collective) {
        Shape chw = BenchSteps.defaultInput(model);
        BatchSource batches = BenchSteps.syntheticBatches(chw, batchSize, steps + 3);
        List<Map<String, Object>> results = new ArrayList<>();
        for (String mode : MODES) {
            if (mode.equals("twa-split-basis") && collective.size() == 1) {
                continue;
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = BenchSteps.model(model, chw, manager);
                results.add(measure(model, mode, block, manager, batches, collective));
            }
        }
        return results;
    }

    private Map<String, Object> measure(String model, String mode, Block block, NDManager manager, BatchSource batches,
            Collective collective) {
        FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
        TimedCollective timed = new TimedCollective(collective);
        Collective used = collective.size() == 1 ? collective : timed;
        try (SgdUpdate sgd = new SgdUpdate(trainable.layout(), 0.9, 1e-4);
                Basis basis = mode.equals("sgd") ? null : BenchSteps.randomBasis(trainable, manager, rows, io.twa4j.core.twa.RowEncoding.F32,
                        mode.equals("twa-split-basis") ? used : Collective.single())) {
            UpdateRule rule = basis == null ? new AllReducedGradients(trainable, used, sgd)
                    : new SubspaceSgd(basis, trainable, new SubspaceSgd.Hyperparameters(0.9, 1e-5), basis.coordinatesOfMean(), used);
            long[] started = new long[1];
            TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(rule).setSchedule(Schedules.constant(1e-3))
                    .optCollective(used)
                    .addListener(new TrainingListener() {
                        @Override
                        public void onStep(StepEvent step) {
                            if (step.step() == 2) {
                                timed.reset();
                                started[0] = System.nanoTime();
                            }
                        }
                    })
                    .build().run(batches, null, 0, 1);
            double stepMs = (System.nanoTime() - started[0]) / 1e6 / steps;
            TimedCollective.Totals totals = timed.totals();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("model", model);
            result.put("mode", mode);
            result.put("workers", collective.size());
            result.put("D", trainable.size());
            result.put("n", basis == null ? 0 : basis.size());
            result.put("floats_per_step", totals.floats() / (double) steps);
            result.put("bytes_per_step", 4.0 * totals.floats() / steps);
            result.put("calls_per_step", totals.calls() / (double) steps);
            result.put("exchange_ms", totals.nanos() / 1e6 / steps);
            result.put("transfer_ms", transferMillis(collective, (int) (totals.floats() / steps)));
            result.put("step_ms", stepMs);
            result.put("exchange_share", totals.nanos() / 1e6 / steps / stepMs);
            result.put("basis_mib_per_worker", basis == null ? 0 : basis.bytes() / 1048576.0);
            return result;
        }
    }

    /**
     * The median time of one all-reduce of {@code floats} floats started together (after a
     * barrier): the transfer alone, where the exchange time of a step also holds the wait for the
     * slowest rank.
     */
    private static double transferMillis(Collective collective, int floats) {
        if (collective.size() == 1) {
            return 0;
        }
        float[] data = new float[floats];
        double[] millis = new double[5];
        for (int i = 0; i < millis.length; i++) {
            collective.barrier();
            long started = System.nanoTime();
            collective.allReduceSum(data);
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        return BenchSteps.median(millis);
    }
}
