package io.twa4j.spark;

import java.io.Serializable;

/**
 * What one worker returned.
 *
 * @param rank the worker's rank (its partition of the stage)
 * @param exitCode what its {@link WorkerTask} returned
 */
public record WorkerResult(int rank, int exitCode) implements Serializable {}
