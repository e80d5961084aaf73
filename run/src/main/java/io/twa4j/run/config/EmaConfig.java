package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The exponential moving average a run keeps of every parameter, after every step:
 * {@code avg = d·avg + (1 − d)·w}.
 *
 * @param decay the decay d per step
 * @param warmup whether the decay warms up as min(d, n / (n + 9)) over the first n updates
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EmaConfig(double decay, boolean warmup) {

    /** Checks the decay, naming its key. */
    public EmaConfig {
        Settings.fraction("ema.decay", decay);
    }
}
