package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Min–max quantisation of basis rows: for random rows of any length (whole groups or not) and any
 * scale and offset, every decoded entry lies within half a step of its value, the step being its
 * group's {@code (max − min)/(2^bits − 1)}, and any column range decodes to the same values as the
 * whole row.
 */
class QuantisedRowsProperties {

    @Property(tries = 60)
    void everyEntryDecodesWithinHalfAStepOfItsGroup(@ForAll @IntRange(min = 1, max = 10_000) int columns,
            @ForAll @IntRange(min = 1, max = 3) int rows, @ForAll boolean fourBits, @ForAll @DoubleRange(min = -3, max = 3) double logScale,
            @ForAll @DoubleRange(min = -10, max = 10) double offset, @ForAll long seed) {
        int bits = fourBits ? 4 : 8;
        Random random = new Random(seed);
        double spread = Math.pow(10, logScale);
        float[][] values = new float[rows][columns];
        try (NDManager manager = NDManager.newBaseManager()) {
            QuantisedRows stored = new QuantisedRows(manager, rows + 1, columns, bits);
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < columns; c++) {
                    // some constant stretches, some noise
                    values[i][c] = (float) (random.nextInt(8) == 0 ? offset : offset + spread * random.nextGaussian());
                }
                stored.set(i, manager.create(values[i]));
            }
            float[] decoded = stored.block(rows, 0, columns, DataType.FLOAT32, manager).toFloatArray();
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < columns; c++) {
                    double bound = step(values[i], c, bits) / 2 * (1 + 1e-4) + 1e-6 * (Math.abs(offset) + 10 * spread);
                    assertThat((double) Math.abs(decoded[i * columns + c] - values[i][c])).as("row %d column %d", i, c)
                            .isLessThanOrEqualTo(bound);
                }
            }
            int from = random.nextInt(columns);
            int to = from + 1 + random.nextInt(columns - from);
            float[] part = stored.block(rows, from, to, DataType.FLOAT32, manager).toFloatArray();
            for (int i = 0; i < rows; i++) {
                for (int c = from; c < to; c++) {
                    assertThat(part[i * (to - from) + c - from]).isEqualTo(decoded[i * columns + c]);
                }
            }
            NDArray wide = stored.block(rows, from, to, DataType.FLOAT64, manager);
            assertThat(wide.getDataType()).isEqualTo(DataType.FLOAT64);
        }
    }

    /** The quantisation step of the group holding column {@code c}. */
    private static double step(float[] row, int c, int bits) {
        int first = c / QuantisedRows.GROUP * QuantisedRows.GROUP;
        int end = Math.min(row.length, first + QuantisedRows.GROUP);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = first; k < end; k++) {
            min = Math.min(min, row[k]);
            max = Math.max(max, row[k]);
        }
        if (end - first < QuantisedRows.GROUP) { // the padding zeros belong to the last group
            min = Math.min(min, 0);
            max = Math.max(max, 0);
        }
        return (max - min) / ((1 << bits) - 1);
    }
}
