package io.twa4j.run.twa;

/**
 * Where a snapshot of the basis lies in the run's history.
 *
 * @param index the snapshot's index
 * @param epoch when it was taken, in epochs (fractional for snapshots within an epoch)
 */
public record SnapshotPoint(int index, double epoch) {}
