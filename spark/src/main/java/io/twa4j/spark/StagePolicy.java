package io.twa4j.spark;

import java.time.Duration;

/**
 * How long the workers of a stage may wait, and how many times the stage is tried.
 *
 * @param collective how long one collective call (and joining the group) waits for the other ranks
 * @param stage how long the stage may take, all attempts together; past it the driver cancels the
 *     job and fails
 * @param attempts how many times the stage runs at most: after a worker fails (its task threw,
 *     or its executor died) every rank runs again, in a new group
 */
public record StagePolicy(Duration collective, Duration stage, int attempts) {

    /** Checks that the timeouts are positive and that there is at least one attempt. */
    public StagePolicy {
        requirePositive("collective", collective);
        requirePositive("stage", stage);
        if (attempts < 1) {
            throw new IllegalArgumentException("a stage needs at least one attempt, got " + attempts);
        }
    }

    /** A minute per collective call, a day for the stage, 4 attempts (Spark's own number for a stage). */
    public static StagePolicy defaults() {
        return new StagePolicy(Duration.ofMinutes(1), Duration.ofDays(1), 4);
    }

    private static void requirePositive(String name, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the " + name + " timeout must be positive, got " + timeout);
        }
    }
}
