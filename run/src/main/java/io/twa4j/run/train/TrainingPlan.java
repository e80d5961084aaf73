package io.twa4j.run.train;

import io.twa4j.run.config.RunConfig;
import io.twa4j.run.twa.TwaSettings;

/**
 * What a training job does after setting up the run.
 *
 * @param trainEpochs epochs of regular training (≤ the configuration's budget, whose schedule they follow)
 * @param keepSnapshots whether snapshot files are written
 * @param twa TWA settings to run on the in-memory basis of the snapshots afterwards, or null for none
 */
public record TrainingPlan(int trainEpochs, boolean keepSnapshots, TwaSettings twa) {

    /** Regular training over the whole budget of {@code config}, keeping snapshot files. */
    public static TrainingPlan trainOnly(RunConfig config) {
        return new TrainingPlan(config.epochs(), true, null);
    }

    /** The number of snapshots the training takes (the initialisation included). */
    public int snapshots(RunConfig config) {
        return trainEpochs * config.snapshots().snapshotsPerEpoch() + 1;
    }
}
