package io.twa4j.core.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Pieces joined into one flat vector ({@link FlatFloats#joined}): for random piece lengths (empty
 * ones too) and ranges, a range read equals that range of the concatenation, a range put lands
 * there and nowhere else, and a range past the end is refused.
 */
class JoinedFloatsProperties {

    @Property(tries = 200)
    void rangesReadAndWriteTheConcatenation(@ForAll @IntRange(min = 1, max = 8) int count, @ForAll long seed) {
        Random random = new Random(seed);
        long[] starts = new long[count];
        FloatBuffer[] pieces = new FloatBuffer[count];
        int size = 0;
        for (int i = 0; i < count; i++) {
            starts[i] = size;
            int length = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(20);
            pieces[i] = ByteBuffer.allocateDirect(4 * length).order(ByteOrder.nativeOrder()).asFloatBuffer();
            size += length;
        }
        FlatFloats joined = FlatFloats.joined(starts, pieces);
        float[] expected = new float[size];
        for (int round = 0; round < 6; round++) {
            int from = size == 0 ? 0 : random.nextInt(size + 1);
            int length = random.nextInt(size - from + 1);
            float[] values = new float[length + 2];
            for (int c = 0; c < values.length; c++) {
                values[c] = random.nextFloat();
            }
            joined.put(from, values, 1, length);
            System.arraycopy(values, 1, expected, from, length);
            float[] whole = new float[size];
            joined.get(0, whole, 0, size);
            assertThat(whole).containsExactly(expected);
            float[] part = new float[length];
            joined.get(from, part, 0, length);
            assertThat(part).containsExactly(Arrays.copyOfRange(expected, from, from + length));
        }
        int end = size;
        assertThat(joined.size()).isEqualTo(size);
        assertThatThrownBy(() -> joined.get(end, new float[1], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
