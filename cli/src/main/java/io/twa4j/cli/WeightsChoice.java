package io.twa4j.cli;

import picocli.CommandLine.Option;

/** {@code --snapshot K} or {@code --weights SRC}: the weights a command reads for a run's model (eval, export). */
final class WeightsChoice {

    @Option(names = "--snapshot", paramLabel = "K", description = "Snapshot index (see `twa4j inspect`).")
    Integer snapshot;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "A safetensors or PyTorch .pt file with the model's parameters (twa4j's or PyTorch's names),"
                    + " or RUN:INDEX for a snapshot of another run.")
    String weights;
}
