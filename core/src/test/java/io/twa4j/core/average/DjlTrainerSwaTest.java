package io.twa4j.core.average;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.schedule.Schedules;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's example: SWA added to a plain DJL {@code Trainer} loop (DJL's optimiser, DJL's
 * dataset), with twa4j's schedule, average and BatchNorm update.
 */
class DjlTrainerSwaTest {

    @Test
    void swaInADjlTrainerLoop() throws Exception {
        int epochs = 6;
        int swaStart = 4;
        int batchSize = 16;
        int examples = 96;
        SplittableRandom random = new SplittableRandom(21);
        float[][] x = new float[examples][4];
        float[] y = new float[examples];
        for (int i = 0; i < examples; i++) {
            int label = i % 3;
            for (int d = 0; d < 4; d++) {
                x[i][d] = (float) (random.nextGaussian() + (d == label ? 2 : 0));
            }
            y[i] = label;
        }
        Engine.getInstance().setRandomSeed(5);
        try (Model model = Model.newInstance("swa-example")) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(8).build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(3).build()));
            NDManager manager = model.getNDManager();
            ArrayDataset train = new ArrayDataset.Builder()
                    .setData(manager.create(x))
                    .optLabels(manager.create(y))
                    .setSampling(batchSize, true)
                    .build();
            int stepsPerEpoch = examples / batchSize;
            LrSchedule schedule = Schedules.swa(0.1, 0.02, swaStart, epochs);
            List<Float> ratesSeen = new ArrayList<>();
            Tracker tracker = Schedules.asTracker(schedule, stepsPerEpoch);
            Tracker recording = numUpdate -> {
                float lr = tracker.getNewValue(numUpdate);
                ratesSeen.add(lr);
                return lr;
            };
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(recording).optMomentum(0.9f).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, 4));
                FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(model.getBlock()));
                double[] sum = new double[(int) trainable.size()];
                try (AveragedModel swa = AveragedModel.equal(model.getBlock(), manager)) {
                    for (int epoch = 0; epoch < epochs; epoch++) {
                        for (Batch batch : trainer.iterateDataset(train)) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                            batch.close();
                        }
                        if (epoch + 1 >= swaStart) {
                            swa.update();
                            float[] weights = trainable.read(manager).toFloatArray();
                            for (int i = 0; i < sum.length; i++) {
                                sum[i] += weights[i];
                            }
                        }
                    }
                    int averaged = epochs - swaStart + 1;
                    float[] lastSgd = trainable.read(manager).toFloatArray();
                    try (AveragedModel.Swap swapped = swa.swapIn()) {
                        int layers = BatchNormUpdate.run(model.getBlock(), manager, trainer.iterateDataset(train));
                        assertThat(layers).isEqualTo(1);
                        float[] inModel = trainable.read(manager).toFloatArray();
                        for (int i = 0; i < sum.length; i++) {
                            assertThat((double) inModel[i]).isCloseTo(sum[i] / averaged, within(1e-5));
                        }
                        NDArray logits = model.getBlock()
                                .forward(new ai.djl.training.ParameterStore(manager, false),
                                        new ai.djl.ndarray.NDList(manager.create(x)), false)
                                .singletonOrThrow();
                        float accuracy = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                                .eq(manager.create(y)).sum().getLong() / (float) examples;
                        assertThat(accuracy).as("the average of a converging run classifies").isGreaterThan(0.8f);
                    }
                    assertThat(trainable.read(manager).toFloatArray()).containsExactly(lastSgd);
                }
            }
            // DJL asked the tracker once per parameter per update; every answer is the schedule's for that step
            assertThat(ratesSeen).isNotEmpty();
            assertThat(tracker.getNewValue(1)).isEqualTo((float) schedule.at(0, 0, stepsPerEpoch));
            assertThat(tracker.getNewValue(stepsPerEpoch * swaStart + 1)).isEqualTo(0.02f); // epoch swaStart (from 0): t = 1
            assertThat(ratesSeen.get(ratesSeen.size() - 1)).isEqualTo(0.02f);
        }
    }
}
