package io.twa4j.run.twa;

import io.twa4j.core.io.OneLine;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.RowEncoding;
import io.twa4j.run.config.InvalidSettingException;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings of one TWA run (the reference's flags and defaults), recorded in its {@code
 * summary.json}; each value is checked in the constructor, naming its key.
 *
 * @param name the result's name (its directory under {@code RUN/twa/})
 * @param paramsStart first snapshot of the range (inclusive)
 * @param paramsEnd end of the range (exclusive)
 * @param paramsStride every k-th snapshot of the range
 * @param trainStart -1 to start at the mean of the snapshots, else the snapshot to start from
 * @param epochs TWA epochs
 * @param lr TWA learning rate
 * @param wd weight decay on the coefficients
 * @param momentum momentum on the coefficients
 * @param schedule step, constant or linear
 * @param milestones the step schedule's milestones as fractions of the TWA epochs
 * @param batchSize training batch size
 * @param tolerance relative residual below which a snapshot adds no basis row
 * @param basisDtype how the basis is stored: f32, f16, int8 or int4 ({@link RowEncoding})
 * @param trainOn the images the coefficients are trained on (and BatchNorm statistics recomputed
 *     from): {@code train}, or {@code val} for the run's held-out part (the journal version's TWA-v)
 * @param baseline whether to evaluate the equal average of the snapshots (after its own BatchNorm
 *     pass) before training, as the reference does; without it TWA saves that pass and evaluation
 * @param coefficients how the coefficients cut the model ({@link Blocks}): {@code global} (one per
 *     snapshot, the reference), {@code per-tensor}, {@code per-layer} or {@code blocks:K}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TwaSettings(
        String name,
        int paramsStart,
        int paramsEnd,
        int paramsStride,
        int trainStart,
        int epochs,
        double lr,
        double wd,
        double momentum,
        String schedule,
        List<Double> milestones,
        int batchSize,
        double tolerance,
        String basisDtype,
        String trainOn,
        boolean baseline,
        String coefficients) {

    /** The image sets the coefficients can be trained on. */
    public static final List<String> TRAIN_ON = List.of("train", "val");

    /** The storage types of the basis. */
    public static final List<String> BASIS_DTYPES = List.of("f32", "f16", "int8", "int4");

    /** Checks every value, naming its key; a null name becomes {@code p<start>-<end>[-s<stride>]}. */
    public TwaSettings {
        checkRange(paramsStart, paramsEnd, paramsStride);
        if (trainStart < -1) {
            throw new InvalidSettingException("train_start", "{train_start} must be -1 (the mean) or a snapshot, got " + trainStart);
        }
        Settings.positive("epochs", epochs);
        Settings.positive("lr", lr);
        Settings.nonNegative("wd", wd);
        Settings.fraction("momentum", momentum);
        Settings.positive("batch_size", batchSize);
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new InvalidSettingException("tolerance", "{tolerance} must be in (0, 1), got " + tolerance);
        }
        schedule = Settings.oneOf("schedule", schedule == null ? null : schedule.toLowerCase(Locale.ROOT), Schedules.NAMES);
        milestones = List.copyOf(Settings.required("milestones", milestones));
        basisDtype = basisDtype == null ? null : basisDtype.toLowerCase(Locale.ROOT);
        encoding(basisDtype);
        coefficients = coefficients == null ? null : coefficients.toLowerCase(Locale.ROOT);
        Blocks.check(coefficients, "coefficients");
        trainOn = Settings.oneOf("train_on", trainOn == null ? null : trainOn.toLowerCase(Locale.ROOT), TRAIN_ON);
        name = name == null ? "p" + paramsStart + "-" + paramsEnd + (paramsStride > 1 ? "-s" + paramsStride : "") : name;
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new InvalidSettingException("name", "{name} must be letters, digits, '.', '_' or '-', not starting with '.', got "
                    + OneLine.quote(name));
        }
    }

    /**
     * The reference's TWA on snapshots [start, end): 10 epochs, lr 2, wd 1e-5, momentum 0.9, step
     * schedule at 50% and 75%, starting at the mean of the snapshots, basis in f32.
     */
    public static TwaSettings reference(int start, int end, int batchSize) {
        return new TwaSettings(null, start, end, 1, -1, 10, 2, 1e-5, 0.9, "step", OptimizerConfig.REFERENCE_MILESTONES, batchSize,
                Basis.DEFAULT_TOLERANCE, "f32", "train", true, "global");
    }

    /** These settings with {@code epochs} epochs and schedule {@code schedule}. */
    public TwaSettings withEpochs(int epochs, String schedule) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    /** These settings with learning rate {@code lr} (its schedule unchanged). */
    public TwaSettings withLr(double lr) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    /** These settings under the name {@code name}. */
    public TwaSettings named(String name) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    private static void checkRange(int start, int end, int stride) {
        if (start < 0) {
            throw new InvalidSettingException("params_start", "{params_start} must be >= 0, got " + start);
        }
        if (stride < 1) {
            throw new InvalidSettingException("params_stride", "{params_stride} must be >= 1, got " + stride);
        }
        if (end <= start) {
            throw new InvalidSettingException("params_end", "{params_end} (" + end + ") must be greater than {params_start} (" + start + ")");
        }
        int count = (end - start + stride - 1) / stride;
        if (count < 2) {
            throw new InvalidSettingException("params_end", "TWA needs at least 2 snapshots; [" + start + ", " + end + ") with stride "
                    + stride + " holds " + count);
        }
    }

    /** The row encoding for a basis dtype (bf16 is refused: the engine aborts on it). */
    static RowEncoding encoding(String name) {
        if ("bf16".equals(name)) {
            throw new InvalidSettingException("basis_dtype", "{basis_dtype} bf16 is not available: DJL 0.36's PyTorch engine aborts"
                    + " the JVM on bfloat16 arrays; use f16 (same size), int8, int4 or f32");
        }
        return RowEncoding.of(Settings.oneOf("basis_dtype", name, BASIS_DTYPES));
    }

    /** These settings with or without the baseline (the equal average, BN-updated and evaluated first). */
    public TwaSettings withBaseline(boolean baseline) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    /** Whether the coefficients learn on the run's held-out images. */
    public boolean onHeldOut() {
        return "val".equals(trainOn);
    }

    /** These settings learning on {@code trainOn} ({@code train} or {@code val}). */
    public TwaSettings trainedOn(String trainOn) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    /** The row encoding of {@link #basisDtype}. */
    public RowEncoding encoding() {
        return encoding(basisDtype);
    }

    /** These settings with coefficients cut as {@code coefficients} ({@link Blocks}). */
    public TwaSettings withCoefficients(String coefficients) {
        return new TwaSettings(name, paramsStart, paramsEnd, paramsStride, trainStart, epochs, lr, wd, momentum, schedule, milestones,
                batchSize, tolerance, basisDtype, trainOn, baseline, coefficients);
    }

    /** The learning-rate schedule over the TWA epochs. */
    public LrSchedule lrSchedule() {
        return Schedules.byName(schedule, lr, epochs, milestones.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The snapshot indices the basis is built from. */
    public List<Integer> snapshotIndices() {
        List<Integer> indices = new ArrayList<>();
        for (int i = paramsStart; i < paramsEnd; i += paramsStride) {
            indices.add(i);
        }
        return indices;
    }
}
