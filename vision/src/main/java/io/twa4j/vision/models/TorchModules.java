package io.twa4j.vision.models;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records, while an architecture is built, which DJL layer is which module of the PyTorch
 * reference ({@code "layer1.0.conv1"}), so that {@link #names(Block)} can name every parameter the
 * way the reference's {@code state_dict()} does. Each architecture names its layers where it builds
 * them; nothing else knows the reference's names.
 */
final class TorchModules {

    /** DJL's names of direct parameters that PyTorch spells otherwise (BatchNorm's); the rest keep theirs. */
    private static final Map<String, String> PARAMETER_NAMES = Map.of(
            "gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private final Map<Block, String> paths = new IdentityHashMap<>();

    /**
     * Records {@code layer} (a Conv2d, Linear or BatchNorm) as the reference's module {@code path}.
     *
     * @return {@code layer}
     */
    <B extends Block> B at(String path, B layer) {
        if (paths.put(layer, path) != null) {
            throw new IllegalStateException("layer named twice: " + path);
        }
        return layer;
    }

    /**
     * Appends {@code layer} to {@code sequence} as the reference's module {@code prefix + i}, where
     * {@code i} is its position in the sequence: for sequences that mirror an {@code nn.Sequential}
     * layer for layer (activations and poolings included).
     *
     * @return {@code sequence}
     */
    SequentialBlock add(SequentialBlock sequence, String prefix, Block layer) {
        return sequence.add(at(prefix + sequence.getChildren().size(), layer));
    }

    /**
     * The state_dict names of every parameter of {@code root} (built with this recorder).
     *
     * @throws IllegalStateException if a parameter belongs to no recorded layer, or two get one name
     */
    TorchNames names(Block root) {
        Map<Parameter, String> keys = new IdentityHashMap<>();
        Map<Parameter, String> counters = new IdentityHashMap<>();
        paths.forEach((layer, path) -> {
            for (Pair<String, Parameter> p : layer.getDirectParameters()) {
                keys.put(p.getValue(), path + "." + PARAMETER_NAMES.getOrDefault(p.getKey(), p.getKey()));
                if (layer instanceof BatchNorm && p.getKey().equals("runningVar")) {
                    counters.put(p.getValue(), path + "." + TorchNames.BATCH_COUNTER);
                }
            }
        });
        Map<String, String> torchByDjl = new LinkedHashMap<>();
        Map<String, String> counterAfter = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : root.getParameters()) {
            String key = keys.get(p.getValue());
            if (key == null) {
                throw new IllegalStateException("parameter " + p.getKey() + " has no PyTorch name");
            }
            torchByDjl.put(p.getKey(), key);
            if (counters.containsKey(p.getValue())) {
                counterAfter.put(p.getKey(), counters.get(p.getValue()));
            }
        }
        return new TorchNames(torchByDjl, counterAfter);
    }
}
