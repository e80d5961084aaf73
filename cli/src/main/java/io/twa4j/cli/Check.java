package io.twa4j.cli;

import io.twa4j.run.RunError;
import io.twa4j.run.config.InvalidSettingException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Command-line validation: each failure is a one-line {@link RunError} naming the flag. The
 * configuration records check their own values ({@link InvalidSettingException} naming the key);
 * {@link #flags} turns those keys into the flags that set them.
 */
final class Check {
    private Check() {}

    /** A whole-number flag that must be positive ("--n must be a positive number, got 0"). */
    static void positive(String flag, int value) {
        if (value <= 0) {
            throw RunError.settings(flag + " must be a positive number, got " + value);
        }
    }

    /**
     * Builds a configuration record from flags; a value it refuses is reported with the flag that
     * set it: {@code --} and the key with dashes ({@code batch_size} is {@code --batch-size},
     * {@code swa.start} is {@code --swa-start}), or the flag {@code renamed} gives for the key.
     */
    static <T> T flags(Supplier<T> record, Map<String, String> renamed) {
        try {
            return record.get();
        } catch (InvalidSettingException e) {
            throw RunError.settings(e.describe(key -> renamed.getOrDefault(key, "--" + key.replace('_', '-').replace('.', '-'))));
        }
    }

    /** {@link #flags} where every key is spelled as its flag. */
    static <T> T flags(Supplier<T> record) {
        return flags(record, Map.of());
    }
}
