package io.twa4j.run.soup;

import io.twa4j.core.params.ParameterLayout;
import io.twa4j.run.config.InvalidSettingException;
import java.util.Map;

/**
 * How a by-layer soup cuts the model into blocks, each with its own coefficient per ingredient:
 * {@code per-tensor} (every parameter tensor), {@code per-layer} (the tensors of one layer: DJL
 * names them {@code LAYER_weight}, {@code LAYER_bias}, ...), or a number K (K runs of consecutive
 * tensors holding about the same number of parameters).
 */
final class Blocks {
    private Blocks() {}

    /**
     * The blocks of {@code layout} by {@code mode}, named as coefficients.csv reports them.
     *
     * @throws InvalidSettingException (key {@code blocks}) for an unknown mode or a K outside 1..tensors
     */
    static Map<String, ParameterLayout> of(ParameterLayout layout, String mode) {
        if ("per-tensor".equals(mode)) {
            return layout.groups(ParameterLayout.Entry::name);
        }
        if ("per-layer".equals(mode)) {
            return layout.groups(entry -> entry.name().contains("_") ? entry.name().substring(0, entry.name().lastIndexOf('_'))
                    : entry.name());
        }
        int k;
        try {
            k = Integer.parseInt(mode);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("blocks", "unknown {blocks} '" + mode + "'; valid: per-tensor, per-layer, or a number K");
        }
        int tensors = layout.entries().size();
        if (k < 1 || k > tensors) {
            throw new InvalidSettingException("blocks", "{blocks} must be between 1 and the model's " + tensors + " tensors, got " + k);
        }
        double per = (double) layout.size() / k;
        return layout.groups(entry -> "block" + (Math.min(k - 1, (int) ((entry.offset() + entry.size() / 2.0) / per)) + 1));
    }
}
