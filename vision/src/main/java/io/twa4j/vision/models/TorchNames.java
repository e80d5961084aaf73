package io.twa4j.vision.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names a zoo model's parameters have in the {@code state_dict()} of its PyTorch reference
 * definition (see {@link ModelZoo#torchNames(String)}), in both directions: DJL's name ({@code
 * 01Conv2d_weight}, {@code 02BatchNorm_runningMean}) to the state_dict key ({@code conv1.weight},
 * {@code bn1.running_mean}) and back. BatchNorm's {@code gamma, beta, runningMean, runningVar} are
 * PyTorch's {@code weight, bias, running_mean, running_var}; every BatchNorm also has the int64
 * scalar buffer {@code num_batches_tracked}, which has no DJL parameter and is listed apart ({@link
 * #batchCounters()}).
 *
 * <p>The map is a bijection between the block's parameters and the state_dict's keys other than the
 * counters; shapes agree as well (DJL's Conv2d and Linear weights are laid out as PyTorch's).
 */
public final class TorchNames {

    /** The name of BatchNorm's batch counter buffer, the last part of its state_dict key. */
    public static final String BATCH_COUNTER = "num_batches_tracked";

    private final Map<String, String> torchByDjl;
    private final Map<String, String> djlByTorch;
    private final Map<String, String> counterAfter;
    private final Set<String> counters;

    /**
     * @param torchByDjl state_dict key by DJL name, in the block's order
     * @param counterAfter the counter key that follows each BatchNorm's running variance (by its DJL name)
     * @throws IllegalStateException if two parameters get the same key
     */
    TorchNames(Map<String, String> torchByDjl, Map<String, String> counterAfter) {
        this.torchByDjl = Collections.unmodifiableMap(new LinkedHashMap<>(torchByDjl));
        Map<String, String> inverse = new LinkedHashMap<>();
        torchByDjl.forEach((djl, torch) -> {
            String other = inverse.put(torch, djl);
            if (other != null) {
                throw new IllegalStateException("parameters " + other + " and " + djl + " are both named " + torch);
            }
        });
        this.djlByTorch = Collections.unmodifiableMap(inverse);
        this.counterAfter = Collections.unmodifiableMap(new LinkedHashMap<>(counterAfter));
        this.counters = Set.copyOf(counterAfter.values());
    }

    /**
     * The state_dict key of DJL parameter {@code djlName}.
     *
     * @throws IllegalArgumentException if the model has no such parameter
     */
    public String torchName(String djlName) {
        String key = torchByDjl.get(djlName);
        if (key == null) {
            throw new IllegalArgumentException("the model has no parameter " + djlName);
        }
        return key;
    }

    /** The DJL name of the parameter under state_dict key {@code torchKey}; empty for a counter or an unknown key. */
    public Optional<String> djlName(String torchKey) {
        return Optional.ofNullable(djlByTorch.get(torchKey));
    }

    /** Whether {@code torchKey} is the {@code num_batches_tracked} buffer of one of the model's BatchNorms. */
    public boolean isBatchCounter(String torchKey) {
        return counters.contains(torchKey);
    }

    /** The state_dict key by DJL name, every parameter of the model in the block's order. */
    public Map<String, String> byDjlName() {
        return torchByDjl;
    }

    /** The {@code num_batches_tracked} keys, one per BatchNorm, in the block's order. */
    public List<String> batchCounters() {
        return List.copyOf(counterAfter.values());
    }

    /**
     * Every key of the reference's state_dict in the block's order, each counter right after its
     * BatchNorm's {@code running_var} (as PyTorch orders them).
     */
    public List<String> stateDictKeys() {
        List<String> keys = new ArrayList<>();
        torchByDjl.forEach((djl, torch) -> {
            keys.add(torch);
            String counter = counterAfter.get(djl);
            if (counter != null) {
                keys.add(counter);
            }
        });
        return keys;
    }

    /** How many parameters are named (counters not included). */
    public int size() {
        return torchByDjl.size();
    }

    /** Whether every one of {@code djlNames} is named here and nothing else is. */
    public boolean coversExactly(Set<String> djlNames) {
        return torchByDjl.keySet().equals(new HashSet<>(djlNames));
    }
}
