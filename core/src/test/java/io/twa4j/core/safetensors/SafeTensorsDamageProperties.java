package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.io.BadFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Damaged safetensors files: every truncation and every byte flip either reads back as the format
 * allows or fails with {@link BadFileException}, never with another exception and never hangs.
 *
 * <p>What a single flipped byte may do, by where it lands (the format has no checksum):
 *
 * <ul>
 *   <li>in the 8-byte header length: always refused (the byte buffer then no longer fits);
 *   <li>in the JSON text: refused, or (rarely) a different but valid file: a changed character
 *       of a name or a metadata string, a dtype letter turned into another dtype of the same
 *       width ({@code F32} to {@code I32}); so only "no other exception" is asserted;
 *   <li>in the space padding: refused, unless the space became other JSON whitespace (tab, LF,
 *       CR), which the reference reader accepts too; then the tensors are exactly the original;
 *   <li>in the byte buffer: always read, and the result differs from the original in exactly the
 *       one element holding the byte (catching that is the manifest's SHA-256's job).
 * </ul>
 */
class SafeTensorsDamageProperties {

    private static DamagedFiles files;
    private static byte[] valid;
    private static Header header;
    private static Map<String, float[]> original;
    private static int jsonEnd;

    @BeforeContainer
    static void writeAValidFile() throws IOException {
        files = new DamagedFiles();
        Path file = files.dir().resolve("valid.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("conv.weight", m.arange(0f, 24f).div(7f).reshape(2, 3, 2, 2));
            t.put("fc.weight", m.arange(0f, 6f).sub(2.5f).reshape(2, 3));
            t.put("fc.bias", m.create(new float[] {0.1f, -0.2f, 0.3f}));
            t.put("scale", m.create(2.5f));
            t.put("empty", m.create(new Shape(0), DataType.FLOAT32));
            SafeTensors.write(file, t, Map.of("epoch", "7", "lr", "0.1"));
            original = new LinkedHashMap<>();
            t.forEach((k, v) -> original.put(k, v.toFloatArray()));
        }
        valid = Files.readAllBytes(file);
        header = SafeTensors.readHeader(file);
        int n = (int) header.dataStart();
        jsonEnd = n;
        while (valid[jsonEnd - 1] == ' ') {
            jsonEnd--;
        }
        assertThat(jsonEnd).isLessThan(n); // the property below wants some padding to flip
    }

    @AfterContainer
    static void removeFiles() {
        files.close();
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, valid.length - 1).edgeCases(c -> c.add(8, (int) header.dataStart()));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, valid.length - 1);
    }

    @Property(tries = 300)
    void everyTruncationIsRefused(@ForAll("cuts") int length) {
        DamagedFiles.Outcome o = files.read(Arrays.copyOf(valid, length));
        assertThat(o.error()).as("a file cut to %d of %d bytes must be refused", length, valid.length).isNotNull();
    }

    @Property(tries = 600)
    void aFlippedByteIsRefusedOrChangesOnlyWhatItMay(
            @ForAll("positions") int position, @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] damaged = valid.clone();
        damaged[position] ^= (byte) mask;
        DamagedFiles.Outcome o = files.read(damaged);
        if (position < 8) {
            assertThat(o.error()).as("flip in the length field").isNotNull();
        } else if (position < jsonEnd) {
            return; // refused or a different valid file: both fine, other exceptions fail in read()
        } else if (position < header.dataStart()) {
            byte now = damaged[position];
            if (now == '\t' || now == '\n' || now == '\r') {
                assertThat(o.error()).isNull();
                assertSameAsOriginal(o.tensors());
            } else {
                assertThat(o.error()).as("flip in padding to 0x%02x", now).isNotNull();
            }
        } else {
            assertThat(o.error()).as("flip in the data").isNull();
            int changed = 0;
            for (Entry e : header.tensors()) {
                float[] expected = decode(damaged, e);
                float[] got = o.tensors().get(e.name());
                assertThat(bits(got)).as(e.name()).isEqualTo(bits(expected));
                for (int i = 0; i < got.length; i++) {
                    changed += Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(original.get(e.name())[i])
                            ? 1 : 0;
                }
            }
            assertThat(changed).isEqualTo(1);
        }
    }

    @Property(tries = 200)
    void randomBytesAfterAPlausibleLengthNeverEscapeAsAnotherException(
            @ForAll @IntRange(min = 0, max = 80) int declared, @ForAll byte[] rest) {
        byte[] file = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declared).put(rest).array();
        if (rest.length > 0) {
            file[8] = '{';
        }
        files.read(file); // either outcome; read() fails the property on any other exception
    }

    private static void assertSameAsOriginal(Map<String, float[]> tensors) {
        assertThat(tensors.keySet()).containsExactlyElementsOf(original.keySet());
        tensors.forEach((k, v) -> assertThat(bits(v)).isEqualTo(bits(original.get(k))));
    }

    private static float[] decode(byte[] file, Entry e) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) (e.byteLength() / 4)];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat((int) (header.dataStart() + e.begin() + 4L * i));
        }
        return out;
    }

    /** Float arrays compared by their raw bits (NaN payloads included). */
    private static int[] bits(float[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Float.floatToRawIntBits(a[i]);
        }
        return out;
    }

}
