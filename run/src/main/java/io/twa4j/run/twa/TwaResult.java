package io.twa4j.run.twa;

import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/**
 * What a TWA run gives.
 *
 * @param average the equal average of the snapshots after a BatchNorm update (the baseline), or
 *     null when TWA ran without one ({@link TwaSettings#baseline})
 * @param twa the trained combination after a BatchNorm update
 * @param epochs the TWA epochs (running BatchNorm statistics)
 * @param seconds wall time, the basis included
 * @param directory the result directory ({@code RUN/twa/NAME})
 */
public record TwaResult(Evaluation average, Evaluation twa, List<TrainingListener.EpochEvent> epochs, double seconds, Path directory) {}
