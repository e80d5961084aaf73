package io.twa4j.run.interop;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.WeightsSource;
import io.twa4j.run.Workspace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a run's snapshot, or any weights its model takes (in either naming), as a safetensors
 * file for PyTorch or for twa4j ({@code twa4j export}). The weights are first read into the run's
 * model with every check of {@link Workspace#load}, so what is written always fits the model.
 *
 * <p>{@link Format#PYTORCH}: the reference's state_dict keys ({@link WeightNaming#toPyTorch}), every
 * BatchNorm's {@code num_batches_tracked} included (int64, 0-dim, 0), metadata {@code format=pt},
 * {@code model}, {@code source}: {@code model.load_state_dict(safetensors.torch.load_file(f),
 * strict=True)} takes it. {@link Format#TWA4J}: twa4j's own names, as a snapshot ({@code eval
 * --weights} or {@code finetune --from} read both).
 *
 * @param source what was exported ("snapshot 3", or the weights as given)
 * @param file the file written
 * @param tensors how many tensors it holds
 * @param digest its size and SHA-256
 */
public record Export(String source, Path file, int tensors, FileDigest digest) {

    /** The naming of the file written. */
    public enum Format {
        /** The PyTorch reference's state_dict keys. */
        PYTORCH,
        /** twa4j's own (DJL) names. */
        TWA4J
    }

    /**
     * Exports snapshot {@code index} of the run in {@code runDir} to {@code out}, atomically.
     *
     * @throws RunError (settings) if there is no such snapshot; (input) if it is damaged or does not fit the model
     */
    public static Export ofSnapshot(Path runDir, int index, Format format, Path out) {
        return export(runDir, "snapshot " + index, scope -> WeightsSource.snapshot(runDir, index, scope), format, out);
    }

    /**
     * Exports {@code weights} (a safetensors or {@code .pt} file in either naming, or {@code RUN:INDEX}; see {@link
     * WeightsSource}) with the model of the run in {@code runDir} to {@code out}, atomically.
     *
     * @throws RunError (input) if the weights are missing, damaged or do not fit the model
     */
    public static Export ofWeights(Path runDir, String weights, Format format, Path out) {
        return export(runDir, weights, scope -> WeightsSource.read(weights, "--weights", scope), format, out);
    }

    private static Export export(Path runDir, String source, Function<NDManager, Map<String, NDArray>> read, Format format,
            Path out) {
        RunDirectory run = RunDirectory.open(runDir);
        try (Workspace workspace = Workspace.open(run.readConfig(), Device.cpu());
                NDManager scope = workspace.manager().newSubManager()) {
            workspace.load(read.apply(scope), source);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("source", source);
            if (format == Format.TWA4J) {
                return new Export(source, out, workspace.naming().torchNames().size(), workspace.writeWeights(out, metadata));
            }
            Map<String, String> header = new LinkedHashMap<>();
            header.put("format", "pt");
            header.put("model", workspace.config().model().model());
            header.putAll(metadata);
            Map<String, NDArray> tensors = workspace.naming().toPyTorch(scope);
            return new Export(source, out, tensors.size(), SafeTensors.write(out, tensors, header));
        }
    }
}
