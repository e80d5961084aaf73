package io.twa4j.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.schedule.Schedules;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to repeat a training run or rebuild its model and data: written to
 * {@code RUN/run.json} when the run starts.
 *
 * @param command the subcommand that made the run (train, swa, ...)
 * @param data the dataset name
 * @param dataDir the dataset directory, or null for the dataset's default
 * @param trainLimit how many training examples were used (first N), or null for all
 * @param testLimit how many test examples were used, or null for all
 * @param model the canonical model name
 * @param classes the number of classes
 * @param inputShape the input shape (C, H, W)
 * @param epochs the epoch budget
 * @param lr the initial learning rate
 * @param momentum SGD momentum
 * @param wd weight decay
 * @param schedule the schedule name ({@code swa} for an SWA run)
 * @param milestones the schedule's milestones as fractions of the run
 * @param batchSize the training batch size
 * @param evalBatchSize the evaluation batch size
 * @param augment whether training batches are augmented (random crop and flip)
 * @param snapshotsPerEpoch how many snapshots each epoch keeps
 * @param seed the seed of initialisation, shuffling and augmentation
 * @param device the device the run used
 * @param swa the SWA settings of an {@code swa} run, or null
 * @param ema the EMA settings when the run keeps one, or null
 * @param versions twa4j, DJL, engine and Java versions
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunConfig(
        String command,
        String data,
        String dataDir,
        Integer trainLimit,
        Integer testLimit,
        String model,
        int classes,
        List<Integer> inputShape,
        int epochs,
        double lr,
        double momentum,
        double wd,
        String schedule,
        List<Double> milestones,
        int batchSize,
        int evalBatchSize,
        boolean augment,
        int snapshotsPerEpoch,
        long seed,
        String device,
        Swa swa,
        Ema ema,
        Map<String, String> versions) {

    /**
     * The SWA recipe of an {@code swa} run.
     *
     * @param start the first averaged epoch (from 1)
     * @param lr the constant learning rate of the averaging phase
     * @param cEpochs average every this many epochs
     * @param evalFreq evaluate the average every this many epochs (and at the end)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Swa(int start, double lr, int cEpochs, int evalFreq) {}

    /**
     * The exponential moving average a run keeps.
     *
     * @param decay the decay per step
     * @param warmup whether the decay warms up as min(decay, n / (n + 9))
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Ema(double decay, boolean warmup) {}

    /** The run's learning-rate schedule. */
    LrSchedule lrSchedule() {
        if (swa != null) {
            return Schedules.swa(lr, swa.lr(), swa.start(), epochs);
        }
        return Schedules.byName(schedule, lr, epochs, milestones.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
