package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where a fine-tuning run's model starts: the weights of another model instead of a fresh
 * initialisation.
 *
 * @param from a safetensors file with every parameter, or {@code RUN:INDEX} for snapshot INDEX of a run
 * @param newHead whether the classifier (the model's last weight and bias) keeps its fresh
 *     initialisation instead (when the number of classes differs, or to retrain it)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InitConfig(String from, boolean newHead) {

    /** Checks that a source is named. */
    public InitConfig {
        if (from == null || from.isBlank()) {
            throw new InvalidSettingException("init.from", "{init.from} must name a weights file or RUN:INDEX");
        }
    }
}
