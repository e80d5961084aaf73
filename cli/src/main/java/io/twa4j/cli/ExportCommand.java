package io.twa4j.cli;

import io.twa4j.run.interop.Export;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j export}: writes a snapshot or a weights file with PyTorch's (or twa4j's) names. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a snapshot or a weights file as safetensors that the PyTorch reference model loads",
            "(model.load_state_dict(safetensors.torch.load_file(FILE), strict=True)), or with twa4j's own names."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory (its model).")
    Path run;

    @ArgGroup(exclusive = true, multiplicity = "1")
    WeightsChoice source;

    @Option(names = "--format", paramLabel = "pytorch|twa4j", defaultValue = "pytorch",
            description = "pytorch: the reference's state_dict keys (default); twa4j: twa4j's own names.")
    Export.Format format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The safetensors file to write (replaced atomically).")
    Path out;

    @Override
    public Integer call() {
        Export done = source.snapshot != null ? Export.ofSnapshot(run, source.snapshot, format, out)
                : Export.ofWeights(run, source.weights, format, out);
        System.out.printf(Locale.ROOT, "%s: %d tensors with %s names written to %s (%d bytes)%n", done.source(), done.tensors(),
                format == Export.Format.PYTORCH ? "PyTorch" : "twa4j", done.file(), done.digest().bytes());
        return ExitCode.OK;
    }
}
