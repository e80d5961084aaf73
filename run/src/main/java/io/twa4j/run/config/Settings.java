package io.twa4j.run.config;

import io.twa4j.core.io.OneLine;
import io.twa4j.vision.data.DatasetException;
import java.util.Collection;
import java.util.function.Supplier;

/** The checks of the configuration records' compact constructors; each failure names its key. */
public final class Settings {
    private Settings() {}

    /** {@code value > 0}. */
    public static int positive(String key, int value) {
        if (value <= 0) {
            throw new InvalidSettingException(key, "{" + key + "} must be a positive number, got " + value);
        }
        return value;
    }

    /** {@code value > 0} and finite. */
    public static double positive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidSettingException(key, "{" + key + "} must be a positive number, got " + value);
        }
        return value;
    }

    /** {@code null}, or {@code value > 0}. */
    public static Integer positiveOrNull(String key, Integer value) {
        return value == null ? null : positive(key, value);
    }

    /** {@code value ≥ 0} and finite. */
    public static double nonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidSettingException(key, "{" + key + "} must be zero or positive, got " + value);
        }
        return value;
    }

    /** {@code 0 ≤ value < 1}. */
    public static double fraction(String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidSettingException(key, "{" + key + "} must be in [0, 1), got " + value);
        }
        return value;
    }

    /** {@code value} is one of {@code valid} ({@code null} is not). */
    public static String oneOf(String key, String value, Collection<String> valid) {
        if (value == null || !valid.contains(value)) {
            throw new InvalidSettingException(key, "unknown {" + key + "} " + OneLine.quote(value) + "; valid: "
                    + String.join(", ", valid));
        }
        return value;
    }

    /** {@code value} is not null. */
    public static <T> T required(String key, T value) {
        if (value == null) {
            throw new InvalidSettingException(key, "{" + key + "} is required");
        }
        return value;
    }

    /**
     * Runs a validator of the library (a name lookup, a schedule's constructor) and turns its
     * {@link IllegalArgumentException} (or {@link DatasetException}) into a problem with {@code key}: "{key}: its message".
     */
    public static <T> T valid(String key, Supplier<T> validator) {
        try {
            return validator.get();
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException | DatasetException e) {
            throw new InvalidSettingException(key, "{" + key + "}: " + e.getMessage());
        }
    }
}
