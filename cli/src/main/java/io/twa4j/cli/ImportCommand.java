package io.twa4j.cli;

import io.twa4j.run.RunError;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.interop.CheckpointImport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code twa4j import}: a run made of another program's checkpoints (e.g. the TWA reference's {@code N.pt}). */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make a run out of checkpoints written elsewhere, e.g. by the PyTorch reference scripts.",
            "",
            "Checkpoint i (the file --pattern names, {i} standing for i; numbered 0 to N-1)",
            "becomes snapshot i of --run: safetensors or PyTorch .pt state_dicts (also a",
            "checkpoint dict with a 'state_dict' key), in twa4j's or PyTorch's parameter",
            "names. Every checkpoint is checked against --model and written with its",
            "checksum; then twa, soup, eval and verify work on the run as on one trained here."})
final class ImportCommand implements Callable<Integer> {

    @Option(names = "--snapshots-dir", paramLabel = "DIR", required = true, description = "The folder holding the checkpoints.")
    Path snapshotsDir;

    @Option(names = "--pattern", paramLabel = "NAME", defaultValue = CheckpointOptions.DEFAULT_PATTERN,
            description = "The file name of checkpoint i, {i} standing for i (default: ${DEFAULT-VALUE}).")
    String pattern;

    @Mixin
    DataOptions data;

    @Mixin
    RunOptions runOptions;

    @Override
    public Integer call() {
        if (runOptions.resume) {
            throw RunError.settings("import has no --resume: run it again with --overwrite");
        }
        int checkpoints = CheckpointImport.checkpoints(snapshotsDir, pattern).size();
        RunConfig config = runOptions.config(CheckpointImport.COMMAND, data,
                CheckpointOptions.placeholderOptimizer(checkpoints, runOptions.snapshotsPerEpoch), null, null);
        CheckpointImport.run(new CheckpointImport.Request(snapshotsDir, pattern, config, runOptions.run,
                Devices.resolve(runOptions.device), runOptions.overwrite, runOptions.lock.mode()), ProgressBars.console());
        return ExitCode.OK;
    }
}
