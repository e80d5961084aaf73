package io.twa4j.cli;

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
    RunConfig.Ema config() {
        if (decay == null) {
            if (warmup) {
                throw UserError.usage("--ema-warmup needs --ema-decay");
            }
            return null;
        }
        if (!(decay >= 0 && decay < 1)) {
            throw UserError.usage("--ema-decay must be in [0, 1), got " + decay);
        }
        return new RunConfig.Ema(decay, warmup);
    }
}
