package io.twa4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {

    @Test
    void aTinyRunBeatsChanceAndReportsEveryStepAndEpoch() {
        ArrayBatchSource train = ArrayBatchSource.blobs(600, 8, 4, 32, 1);
        ArrayBatchSource test = ArrayBatchSource.blobs(200, 8, 4, 50, 1);
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        List<TrainingListener.StepEvent> steps = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, 8), 16, 4);
            int arraysBefore = manager.getManagedArrays().size();
            Evaluation before = new Evaluator(block, manager).evaluate(test);
            try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), 0.9, 1e-4)) {
                TrainingLoop.builder()
                        .setBlock(block)
                        .setManager(manager)
                        .setUpdateRule(sgd)
                        .setSchedule(Schedules.multiStep(0.05, 3, new double[] {0.5, 0.75}, 0.1))
                        .addListener(new TrainingListener() {
                            @Override
                            public void onStep(StepEvent step) {
                                steps.add(step);
                            }

                            @Override
                            public void onEpochEnd(EpochEvent epoch) {
                                epochs.add(epoch);
                            }
                        })
                        .build()
                        .run(train, test, 0, 3);
            }
            assertThat(steps).hasSize(3 * train.batchesPerEpoch());
            assertThat(steps.get(steps.size() - 1).globalStep()).isEqualTo(3L * train.batchesPerEpoch() - 1);
            assertThat(epochs).extracting(TrainingListener.EpochEvent::epoch).containsExactly(1, 2, 3);
            assertThat(epochs).extracting(TrainingListener.EpochEvent::lr).containsExactly(0.05, 0.05 * 0.1, 0.05 * 0.1 * 0.1);
            TrainingListener.EpochEvent last = epochs.get(2);
            assertThat(last.test().examples()).isEqualTo(200);
            assertThat(last.test().top1()).isGreaterThan(0.8).isGreaterThan(before.top1());
            assertThat(last.test().loss()).isLessThan(before.loss());
            assertThat(last.test().hasTop5()).isFalse();
            // nothing left behind on the model's manager by 3 epochs of steps and 4 evaluations
            assertThat(manager.getManagedArrays().size()).isEqualTo(arraysBefore);
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunAndNamesTheStep() {
        ArrayBatchSource train = ArrayBatchSource.blobs(64, 8, 4, 16, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, 8), 16, 4);
            try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), 0.9, 0)) {
                TrainingLoop loop = TrainingLoop.builder()
                        .setBlock(block)
                        .setManager(manager)
                        .setUpdateRule(sgd)
                        .setSchedule(Schedules.constant(1e30))
                        .build();
                assertThatThrownBy(() -> loop.run(train, null, 0, 5))
                        .isInstanceOf(NonFiniteLossException.class)
                        .hasMessageContaining("at epoch");
            }
        }
    }

    @Test
    void topFiveIsReportedForMoreThanTenClasses() {
        ArrayBatchSource data = ArrayBatchSource.blobs(120, 6, 12, 40, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, 6), 8, 12);
            Evaluation evaluation = new Evaluator(block, manager).evaluate(data);
            assertThat(evaluation.hasTop5()).isTrue();
            assertThat(evaluation.top5()).isGreaterThanOrEqualTo(evaluation.top1());
        }
    }
}
