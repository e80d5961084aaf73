package io.twa4j.cli;

import io.twa4j.run.RunError;
import io.twa4j.run.config.EmaConfig;
import picocli.CommandLine.Option;

/** {@code --ema-decay d}: keep an exponential moving average of the weights, per step. */
final class EmaOptions {

    @Option(names = "--ema-decay", paramLabel = "D",
            description = "Keep an exponential moving average of every parameter (BatchNorm statistics included),"
                    + " updated after each step with decay D (e.g. 0.999); evaluated each epoch (phase ema) and"
                    + " saved as RUN/ema.safetensors.")
    Double decay;

    @Option(names = "--ema-warmup", description = "Warm the EMA decay up as min(D, n / (n + 9)) over the first updates.")
    boolean warmup;

    /** The EMA settings, or null without --ema-decay. */
    EmaConfig config() {
        if (decay == null) {
            if (warmup) {
                throw RunError.settings("--ema-warmup needs --ema-decay");
            }
            return null;
        }
        return Check.flags(() -> new EmaConfig(decay, warmup));
    }
}
