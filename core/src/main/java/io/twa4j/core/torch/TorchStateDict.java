package io.twa4j.core.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The state_dict of a {@code .pt} file, as {@link TorchFiles#readStateDict} reads it.
 *
 * @param tensors the tensors by their PyTorch names ({@code 0.weight}, {@code
 *     1.num_batches_tracked}, ...), in the file's order; unmodifiable
 * @param extras for a checkpoint dict ({@code {'epoch': 3, 'state_dict': ..., 'optimizer': ...}}),
 *     its other top-level entries whose values are plain: {@code null} (None), {@link Boolean},
 *     {@link Long} or {@link java.math.BigInteger} (int), {@link Double} (float) or {@link String};
 *     containers (the optimizer state) are left out. Empty for a bare state_dict. Unmodifiable.
 */
public record TorchStateDict(Map<String, TorchTensor> tensors, Map<String, Object> extras) {

    /** Copies both maps, keeping their order. */
    public TorchStateDict {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /**
     * Every tensor as a new array in {@code manager}, in its stored type (BFLOAT16 as FLOAT32; see
     * {@link TorchTensor#toNDArray}), in order. If one fails, those already made are closed.
     */
    public Map<String, NDArray> toNDArrays(NDManager manager) {
        return convert(manager, TorchTensor::toNDArray);
    }

    /** Every tensor as a new FLOAT32 array in {@code manager} (see {@link TorchTensor#toFloat32}), in order. */
    public Map<String, NDArray> toFloat32(NDManager manager) {
        return convert(manager, TorchTensor::toFloat32);
    }

    private Map<String, NDArray> convert(NDManager manager, BiFunction<TorchTensor, NDManager, NDArray> f) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try {
            tensors.forEach((name, t) -> out.put(name, f.apply(t, manager)));
            return out;
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
    }
}
