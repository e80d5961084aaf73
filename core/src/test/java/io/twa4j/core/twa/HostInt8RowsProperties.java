package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.twa4j.core.params.FlatFloats;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Int8 rows on the heap, with the Vector API loops and with the plain Java ones: for random rows
 * (fewer or more than the kernel's four per pass, some held rows unused), lengths (whole groups or not, several groups per parallel task or fewer) and column ranges (group
 * and the edges of the kernel's chunks of eight inside them), the rows decode as the engine's int8 rows do (the same
 * codes, {@code centre + scale·s} for {@code offset + scale·q}, to float32 rounding at the row's scale), and {@code P g} and {@code Pᵀα}
 * over the range equal the products with those decoded rows, summed in double, to 1e-5 of what
 * the terms can reach (a row's largest entry, over all its columns, times {@code Σ|g|}, or times {@code |α_j|}).
 */
class HostInt8RowsProperties {

    private static final int GROUP = QuantisedRows.GROUP;

    @Property(tries = 40)
    void productsEqualTheEngineRowsProducts(@ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @IntRange(min = 1, max = 70 * GROUP + 13) int columns, @ForAll boolean vector, @ForAll long seed) {
        Random random = new Random(seed);
        int from = random.nextInt(columns);
        int to = from + 1 + random.nextInt(columns - from);
        int capacity = rows + random.nextInt(3); // rows in use may be fewer than the rows held
        Int8Kernel kernel = vector && Int8Kernel.fastest() != Int8Kernel.SCALAR ? Int8Kernel.fastest() : Int8Kernel.SCALAR;
        try (NDManager manager = NDManager.newBaseManager()) {
            QuantisedRows engine = new QuantisedRows(manager, capacity, columns, 8);
            HostInt8Rows heap = new HostInt8Rows(capacity, columns, kernel);
            double[] largest = new double[rows]; // each row's largest entry, over all its columns
            for (int i = 0; i < rows; i++) {
                float[] values = new float[columns];
                double spread = Math.pow(10, random.nextInt(5) - 2);
                for (int c = 0; c < columns; c++) {
                    values[c] = (float) (random.nextInt(8) == 0 ? 0.5 : spread * random.nextGaussian());
                    largest[i] = Math.max(largest[i], Math.abs(values[c]));
                }
                engine.set(i, manager.create(values));
                heap.set(i, manager.create(values));
            }
            double[] decoded = engine.block(rows, from, to, DataType.FLOAT64, manager).toDoubleArray();
            double[] ours = heap.block(rows, from, to, DataType.FLOAT64, manager).toDoubleArray();
            int width = to - from;
            decodeAlike(ours, decoded, largest, width);
            float[] g = new float[width];
            for (int c = 0; c < width; c++) {
                g[c] = (float) random.nextGaussian();
            }
            double[] projected = heap.project(rows, from, to, FlatFloats.of(g));
            double[] alpha = new double[rows];
            double gradientMass = 0;
            for (float x : g) {
                gradientMass += Math.abs(x);
            }
            for (int j = 0; j < rows; j++) {
                double expected = 0;
                for (int c = 0; c < width; c++) {
                    expected += decoded[j * width + c] * g[c];
                }
                assertThat(Math.abs(projected[j] - expected)).as("row %d of P g (%s)", j, kernel.name())
                        .isLessThanOrEqualTo(1e-5 * largest[j] * gradientMass);
                alpha[j] = random.nextGaussian();
            }
            float[] point = new float[width];
            heap.combine(alpha, rows, from, to, FlatFloats.of(point));
            for (int c = 0; c < width; c++) {
                double expected = 0;
                double magnitude = 0;
                for (int j = 0; j < rows; j++) {
                    expected += alpha[j] * decoded[j * width + c];
                    magnitude += Math.abs(alpha[j]) * largest[j];
                }
                assertThat(Math.abs(point[c] - expected)).as("column %d of Pt alpha (%s)", from + c, kernel.name())
                        .isLessThanOrEqualTo(1e-5 * magnitude + 1e-30);
            }
        }
    }

    /**
     * Checks that the heap rows decode as the engine's, both in float32: to its rounding at the
     * scale of each row's largest entry (a group's offset and step come from all its columns, some
     * of which may lie outside the range decoded).
     */
    private static void decodeAlike(double[] ours, double[] decoded, double[] largest, int width) {
        for (int e = 0; e < decoded.length; e++) {
            assertThat(Math.abs(ours[e] - decoded[e])).as("entry %d", e).isLessThanOrEqualTo(1e-6 * largest[e / width]);
        }
    }
}
