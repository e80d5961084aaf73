package io.twa4j.run.twa;

import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.run.config.InvalidSettingException;
import java.util.Map;

/**
 * How TWA's coefficients (and a by-layer soup's) cut the model into blocks, each with its own
 * coefficient per snapshot: {@code global} (one block, {@value BlockBasis#ALL}), {@code per-tensor}
 * (every parameter tensor), {@code per-layer} (the tensors of one layer: DJL names them {@code
 * LAYER_weight}, {@code LAYER_bias}, ...), or {@code blocks:K} (K runs of consecutive tensors
 * holding about the same number of parameters; a bare K means the same).
 */
public final class Blocks {
    private Blocks() {}

    /** The modes, as help texts name them. */
    public static final String MODES = "global, per-tensor, per-layer or blocks:K";

    /**
     * Checks the form of {@code mode} (K is checked against a model by {@link #of}).
     *
     * @throws InvalidSettingException (key {@code key}) for an unknown mode or a K below 1
     */
    public static void check(String mode, String key) {
        if (mode == null || !(mode.equals("global") || mode.equals("per-tensor") || mode.equals("per-layer"))) {
            int k = count(mode, key);
            if (k < 1) {
                throw new InvalidSettingException(key, "{" + key + "} blocks:K needs K >= 1, got " + k);
            }
        }
    }

    /**
     * The blocks of {@code layout} by {@code mode}, named as coefficients.csv reports them.
     *
     * @throws InvalidSettingException (key {@code key}) for an unknown mode or a K outside 1..tensors
     */
    public static Map<String, ParameterLayout> of(ParameterLayout layout, String mode, String key) {
        check(mode, key);
        switch (mode) {
            case "global":
                return Map.of(BlockBasis.ALL, layout);
            case "per-tensor":
                return layout.groups(ParameterLayout.Entry::name);
            case "per-layer":
                return layout.groups(entry -> entry.name().contains("_") ? entry.name().substring(0, entry.name().lastIndexOf('_'))
                        : entry.name());
            default:
                int k = count(mode, key);
                int tensors = layout.entries().size();
                if (k > tensors) {
                    throw new InvalidSettingException(key, "{" + key + "} blocks:K must be between 1 and the model's " + tensors
                            + " tensors, got " + k);
                }
                double per = (double) layout.size() / k;
                return layout.groups(entry -> "block" + (Math.min(k - 1, (int) ((entry.offset() + entry.size() / 2.0) / per)) + 1));
        }
    }

    private static int count(String mode, String key) {
        String digits = mode == null ? "" : mode.startsWith("blocks:") ? mode.substring("blocks:".length()) : mode;
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "unknown {" + key + "} '" + mode + "'; valid: " + MODES);
        }
    }
}
