package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Which snapshots a run keeps: the initialisation (index 0), then {@code snapshotsPerEpoch}
 * evenly spaced per epoch, the last at the epoch's end.
 *
 * @param snapshotsPerEpoch snapshots per epoch
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SnapshotConfig(int snapshotsPerEpoch) {

    /** One snapshot per epoch. */
    public static final SnapshotConfig PER_EPOCH = new SnapshotConfig(1);

    /** Checks the value, naming its key. */
    public SnapshotConfig {
        Settings.positive("snapshots_per_epoch", snapshotsPerEpoch);
    }
}
