package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.io.BadFileException;
import io.twa4j.core.io.FileDigest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    /** Tensors of several ranks: 4-D, 2-D, 1-D, a scalar and an empty one; values all distinct. */
    static Map<String, NDArray> sample(NDManager m) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("conv.weight", m.arange(0f, 2 * 3 * 2 * 2).div(7f).sub(1.5f).reshape(2, 3, 2, 2));
        t.put("fc.weight", m.create(new float[] {1e-30f, -0f, Float.MAX_VALUE, Float.MIN_VALUE, 3.25f, -7f},
                new Shape(2, 3)));
        t.put("fc.bias", m.create(new float[] {0.1f, -0.2f, 0.3f}));
        t.put("scale", m.create(2.5f));
        t.put("empty", m.create(new Shape(0), DataType.FLOAT32));
        return t;
    }

    @Test
    void roundTripKeepsNamesOrderShapesAndExactValues() {
        Path file = dir.resolve("a.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = sample(m);
            Map<String, String> meta = Map.of("epoch", "3");
            FileDigest digest = SafeTensors.write(file, in, meta);

            Map<String, NDArray> out = SafeTensors.read(file, m);
            assertThat(out.keySet()).containsExactlyElementsOf(in.keySet());
            for (String name : in.keySet()) {
                NDArray a = in.get(name);
                NDArray b = out.get(name);
                assertThat(b.getShape()).as(name).isEqualTo(a.getShape());
                assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(b.toFloatArray()).as(name).isEqualTo(a.toFloatArray());
            }
            assertThat(out.get("fc.weight").toFloatArray()[1]).isEqualTo(-0f); // the sign of zero survives
            assertThat(Float.floatToRawIntBits(out.get("fc.weight").toFloatArray()[1])).isEqualTo(0x80000000);
            assertThat(digest.bytes()).isEqualTo(sizeOf(file));
            assertThat(SafeTensors.readHeader(file).metadata()).isEqualTo(meta);
        }
    }

    @Test
    void headerLayoutFollowsTheSpecByteForByte() throws IOException {
        Path file = dir.resolve("b.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("w", m.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new Shape(2, 3)));
            in.put("b", m.create(new float[] {-1f}));
            SafeTensors.write(file, in, Map.of("k", "v"));
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = le.getLong(0);
        String expectedJson = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}";
        int jsonLength = expectedJson.getBytes(StandardCharsets.UTF_8).length;
        assertThat(n % 8).isZero();
        assertThat(n).isEqualTo((jsonLength + 7) / 8 * 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).isEqualTo(expectedJson + " ".repeat((int) n - jsonLength));
        assertThat(bytes.length).isEqualTo(8 + n + 28);
        // data: little-endian IEEE-754, contiguous, in the order given
        float[] data = new float[7];
        for (int i = 0; i < 7; i++) {
            data[i] = le.getFloat((int) (8 + n + 4L * i));
        }
        assertThat(data).containsExactly(1f, 2f, 3f, 4f, 5f, 6f, -1f);
        assertThat(bytes[(int) (8 + n)]).isEqualTo((byte) 0x00); // 1.0f = 0x3F800000, LE: 00 00 80 3F
        assertThat(bytes[(int) (8 + n + 3)]).isEqualTo((byte) 0x3F);
    }

    @Test
    void readHeaderDescribesTheTensorsWithoutTheirData() {
        Path file = dir.resolve("c.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(file, sample(m), Map.of());
        }
        Header h = SafeTensors.readHeader(file);
        assertThat(h.names()).containsExactly("conv.weight", "fc.weight", "fc.bias", "scale", "empty");
        assertThat(h.metadata()).isEmpty();
        assertThat(h.entry("conv.weight")).isEqualTo(new Entry("conv.weight", Dtype.F32, new Shape(2, 3, 2, 2), 0, 96));
        assertThat(h.entry("scale").shape()).isEqualTo(new Shape());
        assertThat(h.entry("empty").byteLength()).isZero();
        assertThat(h.fileBytes()).isEqualTo(sizeOf(file));
        assertThat(h.dataStart() % 8).isZero();
        assertThat(h.entry("nope")).isNull();
    }

    @Test
    void anInt64ScalarIsWrittenAsI64WithAnEmptyShapeAndEightLittleEndianBytes() throws java.io.IOException {
        Path file = dir.resolve("counter.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("bn.num_batches_tracked", m.create(0x0102030405060708L));
            in.put("bn.running_var", m.create(new float[] {1f}));
            SafeTensors.write(file, in, Map.of());
            Header h = SafeTensors.readHeader(file);
            assertThat(h.entry("bn.num_batches_tracked")).isEqualTo(new Entry("bn.num_batches_tracked", Dtype.I64, new Shape(), 0, 8));
            byte[] bytes = java.nio.file.Files.readAllBytes(file);
            String json = new String(bytes, 8, (int) h.dataStart() - 8, java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}");
            assertThat(java.util.Arrays.copyOfRange(bytes, (int) h.dataStart(), (int) h.dataStart() + 8))
                    .containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
            NDArray back = SafeTensors.readStored(file, m).get("bn.num_batches_tracked");
            assertThat(back.getDataType()).isEqualTo(DataType.INT64);
            assertThat(back.getShape()).isEqualTo(new Shape());
            assertThat(back.toLongArray()).containsExactly(0x0102030405060708L);
        }
    }

    @Test
    void storedTypesRoundTripAndConvertToFloat32() {
        Path file = dir.resolve("d.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("f64", m.create(new double[] {0.1, -2.5, 1e300}));
            in.put("i64", m.create(new long[] {-3, 1L << 40}));
            in.put("i32", m.create(new int[] {7, -8}, new Shape(1, 2)));
            try (NDArray f = m.create(new float[] {1.5f, -0.25f, 65504f})) {
                in.put("f16", f.toType(DataType.FLOAT16, true));
            }
            SafeTensors.write(file, in, Map.of());

            Header h = SafeTensors.readHeader(file);
            assertThat(h.tensors()).extracting(Entry::dtype).containsExactly(Dtype.F64, Dtype.I64, Dtype.I32, Dtype.F16);

            Map<String, NDArray> stored = SafeTensors.readStored(file, m);
            assertThat(stored.get("f64").toDoubleArray()).containsExactly(0.1, -2.5, 1e300);
            assertThat(stored.get("i64").toLongArray()).containsExactly(-3, 1L << 40);
            assertThat(stored.get("i32").getShape()).isEqualTo(new Shape(1, 2));
            assertThat(stored.get("i32").toIntArray()).containsExactly(7, -8);
            assertThat(stored.get("f16").getDataType()).isEqualTo(DataType.FLOAT16);

            Map<String, NDArray> f32 = SafeTensors.read(file, m);
            assertThat(f32.values()).allSatisfy(a -> assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32));
            assertThat(f32.get("f16").toFloatArray()).containsExactly(1.5f, -0.25f, 65504f);
            assertThat(f32.get("i64").toFloatArray()).containsExactly(-3f, (float) (1L << 40));
            assertThat(f32.get("f64").toFloatArray()).containsExactly(0.1f, -2.5f, Float.POSITIVE_INFINITY);
        }
    }

    @Test
    void floatTypeConvertsOnlyFloatingTensorsAndBf16ReadsBackAsFloat32() {
        Path file = dir.resolve("bf.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("w", m.create(new float[] {1.5f, -0.25f, 65504f, 1f + 0x1p-9f}));
            in.put("d", m.create(new double[] {3.0}));
            in.put("steps", m.create(new long[] {12}));
            SafeTensors.write(file, in, Map.of(), DataType.BFLOAT16);

            assertThat(SafeTensors.readHeader(file).tensors()).extracting(Entry::dtype)
                    .containsExactly(Dtype.BF16, Dtype.BF16, Dtype.I64);
            Map<String, NDArray> out = SafeTensors.readStored(file, m);
            assertThat(out.get("w").getDataType()).isEqualTo(DataType.FLOAT32);
            // 65504 rounds to 65536 in bf16; 1 + 2^-9 is halfway between 1 and 1 + 2^-7 and ties to even (1)
            assertThat(out.get("w").toFloatArray()).containsExactly(1.5f, -0.25f, 65536f, 1f);
            assertThat(out.get("d").toFloatArray()).containsExactly(3f);
            assertThat(out.get("steps").toLongArray()).containsExactly(12L);
        }
    }

    @Test
    void theDirectBufferPathForOtherEnginesAndDevicesReadsTheSameValues() {
        Path file = dir.resolve("paths.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(SafeTensors.fillsInPlace(m)).isTrue(); // PyTorch on the CPU: the in-place path
            Map<String, NDArray> in = sample(m);
            in.put("f64", m.create(new double[] {0.1, -2.5}));
            in.put("i64", m.create(new long[] {-3, 1L << 40}));
            try (NDArray f = m.create(new float[] {1.5f, -0.25f})) {
                in.put("f16", f.toType(DataType.FLOAT16, true));
            }
            SafeTensors.write(file, in, Map.of());
            Path bf16 = dir.resolve("paths-bf16.safetensors");
            SafeTensors.write(bf16, Map.of("w", in.get("fc.weight")), Map.of(), DataType.BFLOAT16);
            for (boolean toFloat32 : new boolean[] {true, false}) {
                Map<String, NDArray> viaView = SafeTensors.read(file, m, toFloat32, true);
                Map<String, NDArray> viaBuffer = SafeTensors.read(file, m, toFloat32, false);
                assertThat(viaBuffer.keySet()).containsExactlyElementsOf(in.keySet());
                for (String k : in.keySet()) {
                    assertThat(viaBuffer.get(k).getDataType()).isEqualTo(viaView.get(k).getDataType());
                    assertThat(viaBuffer.get(k).getShape()).isEqualTo(in.get(k).getShape());
                    assertThat(viaBuffer.get(k).toByteBuffer()).as(k).isEqualTo(viaView.get(k).toByteBuffer());
                }
                assertThat(SafeTensors.read(bf16, m, toFloat32, false).get("w").toFloatArray())
                        .isEqualTo(SafeTensors.read(bf16, m, toFloat32, true).get("w").toFloatArray())
                        .containsExactly(Bfloat16.toFloat(Bfloat16.fromFloat(1e-30f)), -0f, Float.POSITIVE_INFINITY, 0f,
                                3.25f, -7f); // bf16-rounded: MAX_VALUE overflows, MIN_VALUE underflows
            }
            assertThat(SafeTensors.read(file, m, false, false).get("f64").toDoubleArray()).containsExactly(0.1, -2.5);
        }
    }

    @Test
    void bf16AndF16BytesAreTheStandardEncodings() throws IOException {
        Path file = dir.resolve("e.safetensors");
        try (NDManager m = NDManager.newBaseManager(); NDArray x = m.create(new float[] {1f, -2f})) {
            SafeTensors.write(file, Map.of("x", x), Map.of(), DataType.BFLOAT16);
            assertThat(dataBytes(file)).containsExactly(0x80, 0x3F, 0x00, 0xC0); // 1.0 = 0x3F80, -2.0 = 0xC000
            SafeTensors.write(file, Map.of("x", x), Map.of(), DataType.FLOAT16);
            assertThat(dataBytes(file)).containsExactly(0x00, 0x3C, 0x00, 0xC0); // 1.0 = 0x3C00, -2.0 = 0xC000
        }
    }

    @Test
    void writingRefusesBadNamesTypesAndClosedArrays() {
        Path file = dir.resolve("f.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ok = m.create(new float[] {1f});
            assertThatThrownBy(() -> SafeTensors.write(file, Map.of("__metadata__", ok), Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            NDArray bytes = m.create(new byte[] {1, 2});
            assertThatThrownBy(() -> SafeTensors.write(file, Map.of("u", bytes), Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'u'");
            NDArray closed = m.create(new float[] {1f});
            closed.close();
            assertThatThrownBy(() -> SafeTensors.write(file, Map.of("c", closed), Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> SafeTensors.write(file, Map.of("x", ok), Map.of(), DataType.INT32))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void writingLeavesNoTemporaryFiles() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(dir.resolve("g.safetensors"), sample(m), Map.of());
            SafeTensors.write(dir.resolve("g.safetensors"), sample(m), Map.of());
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("g.safetensors");
        }
    }

    @Test
    void readingAMissingFileNamesIt() {
        Path file = dir.resolve("missing.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SafeTensors.read(file, m))
                    .isInstanceOf(BadFileException.class)
                    .hasMessage(file + ": no such file");
        }
    }

    @Test
    void unsupportedDtypeIsDescribedButNotRead() throws IOException {
        Path file = dir.resolve("u8.safetensors");
        Files.write(file, SafeTensorsBytes.file(
                "{\"x\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}", new byte[] {1, 2, 3}));
        assertThat(SafeTensors.readHeader(file).entry("x").dtype()).isEqualTo(Dtype.U8);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SafeTensors.read(file, m))
                    .isInstanceOf(BadFileException.class)
                    .hasMessageStartingWith(file + ": tensor 'x' has dtype U8");
        }
    }

    @Test
    void reverseEachSwapsEveryElement() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        SafeTensors.reverseEach(b, 4);
        assertThat(b.array()).containsExactly(4, 3, 2, 1, 8, 7, 6, 5);
        SafeTensors.reverseEach(b, 2);
        assertThat(b.array()).containsExactly(3, 4, 1, 2, 7, 8, 5, 6);
    }

    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static int[] dataBytes(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long start = SafeTensors.readHeader(file).dataStart();
        return toUnsigned(Arrays.copyOfRange(all, (int) start, all.length));
    }

    private static int[] toUnsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }
}
