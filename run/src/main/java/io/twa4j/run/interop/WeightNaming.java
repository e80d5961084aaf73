package io.twa4j.run.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.run.RunError;
import io.twa4j.vision.models.ModelZoo;
import io.twa4j.vision.models.TorchNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The two namings of a model's weights that twa4j reads, and the translation between them: twa4j's
 * own (DJL's parameter names, {@code 01Conv2d_weight}, {@code 02BatchNorm_runningMean}; snapshots
 * and weights files) and the {@code state_dict()} keys of the model's PyTorch reference ({@link
 * ModelZoo#torchNames(String)}: {@code conv1.weight}, {@code bn1.running_mean}), optionally with
 * the {@code module.} prefix that {@code DataParallel} and {@code DistributedDataParallel} add.
 *
 * <p>{@link #toModel} is the one place where tensors from outside (any {@code Map<String,
 * NDArray>}: a safetensors file, a snapshot, a pickled state_dict once read) become the model's:
 * every parameter present with the model's shape, nothing unknown, floating-point values as
 * float32; PyTorch's {@code num_batches_tracked} counters are ignored (the references' BatchNorms
 * have a momentum, so the counter changes nothing). {@link #toPyTorch} goes the other way.
 */
public final class WeightNaming {

    /** Which names a set of tensors uses. */
    public enum Naming {
        /** DJL's parameter names, as twa4j writes them. */
        TWA4J,
        /** The PyTorch reference's state_dict keys. */
        PYTORCH
    }

    /** The prefix {@code nn.DataParallel} and {@code DistributedDataParallel} put before every key. */
    public static final String DATA_PARALLEL_PREFIX = "module.";

    private final ParameterLayout layout;
    private final TorchNames torch;
    private final Set<String> djlNames;

    /**
     * The namings of the model whose parameters are {@code layout} (every parameter, BatchNorm
     * statistics included) and whose PyTorch names are {@code torch}.
     */
    public WeightNaming(ParameterLayout layout, TorchNames torch) {
        this.layout = layout;
        this.torch = torch;
        this.djlNames = layout.shapesByName().keySet();
    }

    /** The namings of zoo model {@code model} built as the initialised {@code block}. */
    public static WeightNaming of(String model, Block block) {
        return new WeightNaming(ParameterLayout.all(block), ModelZoo.torchNames(model));
    }

    /** The PyTorch names of the model. */
    public TorchNames torchNames() {
        return torch;
    }

    /**
     * The naming of {@code keys}: twa4j's if any of them is one of the model's DJL names (or there
     * are none), else PyTorch's.
     */
    public Naming naming(Set<String> keys) {
        return keys.isEmpty() || keys.stream().anyMatch(djlNames::contains) ? Naming.TWA4J : Naming.PYTORCH;
    }

    /** {@link #toModel(Map, Map, String)} with nothing fixed. */
    public Map<String, NDArray> toModel(Map<String, NDArray> tensors, String mismatch) {
        return toModel(tensors, Map.of(), mismatch);
    }

    /**
     * The model's parameters taken from {@code tensors} (in either {@link Naming}), under the
     * model's DJL names, in the model's order, as float32 (float16 and float64 converted, into the
     * manager of the array converted). {@code fixed} gives values by DJL name that replace whatever
     * {@code tensors} hold for those parameters (a fresh head) and are taken as they are.
     *
     * @param mismatch the start of every error message ("w.safetensors does not match model cnn: ")
     * @throws RunError (input) naming the first parameter that is missing (and the first key that is
     *     not the model's, if any), of another shape or not floating point, else the first key that is
     *     not the model's; keys in the file's own naming
     */
    public Map<String, NDArray> toModel(Map<String, NDArray> tensors, Map<String, NDArray> fixed, String mismatch) {
        Naming naming = naming(tensors.keySet());
        String prefix = naming == Naming.PYTORCH && !tensors.isEmpty()
                && tensors.keySet().stream().allMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX)) ? DATA_PARALLEL_PREFIX : "";
        Map<String, NDArray> byDjlName = new LinkedHashMap<>();
        String unknown = null;
        for (Map.Entry<String, NDArray> t : tensors.entrySet()) {
            String key = t.getKey().substring(prefix.length());
            String djl = naming == Naming.TWA4J ? (djlNames.contains(key) ? key : null) : torch.djlName(key).orElse(null);
            if (djl != null) {
                byDjlName.put(djl, t.getValue());
            } else if (unknown == null && !(naming == Naming.PYTORCH && torch.isBatchCounter(key))) {
                unknown = t.getKey();
            }
        }
        String stray = unknown == null ? null : naming == Naming.TWA4J ? "it has parameter " + unknown + " that the model lacks"
                : "it has key " + unknown + ", which is neither a twa4j name of the model nor a key of its PyTorch state_dict";
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (ParameterLayout.Entry entry : layout.entries()) {
            NDArray value = fixed.get(entry.name());
            if (value == null) {
                String label = naming == Naming.TWA4J ? "parameter " + entry.name()
                        : "key " + prefix + torch.torchName(entry.name()) + " (a PyTorch state_dict key)";
                value = checked(byDjlName.get(entry.name()), entry.shape(), label, mismatch + (stray == null ? "" : stray + "; "));
            }
            out.put(entry.name(), value);
        }
        if (stray != null) {
            throw RunError.input(mismatch + stray);
        }
        return out;
    }

    /** The value, float32, of a parameter; {@code mismatch} starts the message if it is missing. */
    private static NDArray checked(NDArray value, Shape shape, String label, String mismatch) {
        if (value == null) {
            throw RunError.input(mismatch + label + " is missing");
        }
        if (!value.getShape().equals(shape)) {
            throw RunError.input(mismatch + label + " has shape " + value.getShape() + ", the model needs " + shape);
        }
        DataType type = value.getDataType();
        if (type == DataType.FLOAT32) {
            return value;
        }
        if (type == DataType.FLOAT16 || type == DataType.FLOAT64) {
            return value.toType(DataType.FLOAT32, false);
        }
        throw RunError.input(mismatch + label + " holds " + type + " values; parameters must be floating point"
                + " (float32; float16 and float64 are converted, bfloat16 is widened when read)");
    }

    /**
     * The model's live parameters under their PyTorch names, in state_dict order, with every
     * BatchNorm's {@code num_batches_tracked}: an int64 scalar 0 created in {@code scope} (twa4j
     * does not count BatchNorm batches; the references never read the counter). What {@code
     * model.load_state_dict(..., strict=True)} of the reference takes.
     */
    public Map<String, NDArray> toPyTorch(NDManager scope) {
        Map<String, NDArray> live = layout.arraysByName();
        Map<String, NDArray> out = new LinkedHashMap<>();
        torch.byDjlName().forEach((djl, key) -> {
            out.put(key, live.get(djl));
            String counter = key.endsWith(".running_var")
                    ? key.substring(0, key.length() - "running_var".length()) + TorchNames.BATCH_COUNTER : null;
            if (counter != null && torch.isBatchCounter(counter)) {
                out.put(counter, scope.create(0L));
            }
        });
        return out;
    }
}
