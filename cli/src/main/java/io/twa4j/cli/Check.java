package io.twa4j.cli;

import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.models.ModelZoo;
import java.util.function.Supplier;

/** Command-line validation: each failure is a one-line {@link UserError} naming the flag. */
final class Check {
    private Check() {}

    static void positive(String flag, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw UserError.usage(flag + " must be a positive number, got " + value);
        }
    }

    static void nonNegative(String flag, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw UserError.usage(flag + " must be zero or positive, got " + value);
        }
    }

    static void fraction(String flag, double value) {
        if (!(value >= 0 && value < 1)) {
            throw UserError.usage(flag + " must be in [0, 1), got " + value);
        }
    }

    static String model(String name) {
        return usage(() -> ModelZoo.canonicalName(name));
    }

    static String dataset(String name) {
        try {
            return Datasets.canonicalName(name);
        } catch (DatasetException e) {
            throw UserError.usage(e.getMessage());
        }
    }

    /** Runs a validator of the library, turning its IllegalArgumentException into a usage error. */
    static <T> T usage(Supplier<T> validator) {
        try {
            return validator.get();
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
    }
}
