package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The SWA recipe of an {@code swa} run (Izmailov et al., 2018): the learning rate follows
 * {@link io.twa4j.core.schedule.Schedules#swa}, and the weights after epoch e (from 1) join an
 * equal average when {@code e ≥ start} and {@code (e − start) % cEpochs == 0}.
 *
 * @param start the first averaged epoch (from 1)
 * @param lr the constant learning rate of the averaging phase
 * @param cEpochs average every this many epochs
 * @param evalFreq evaluate the average every this many epochs (and at the end)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SwaConfig(int start, double lr, int cEpochs, int evalFreq) {

    /** Checks every value, naming its key. */
    public SwaConfig {
        Settings.positive("swa.start", start);
        Settings.positive("swa.lr", lr);
        Settings.positive("swa.c_epochs", cEpochs);
        Settings.positive("swa.eval_freq", evalFreq);
    }

    /** The reference's start for an {@code epochs} budget: 161/300 of it, rounded (VGG16BN's recipe). */
    public static int referenceStart(int epochs) {
        return Math.max(1, (int) Math.round(epochs * 161.0 / 300));
    }
}
