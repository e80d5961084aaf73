package io.twa4j.core.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.io.BadFileException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixtures in {@code src/test/resources/torch}, written by PyTorch 2.13 ({@code
 * make_fixtures.py} there), read to exactly the values PyTorch recorded in {@code expected.json};
 * the legacy and malicious ones are refused.
 */
class TorchFilesTest {

    private static final Path PWNED = Path.of("/tmp/twa4j-pwned");

    static Path fixture(String name) {
        try {
            return Path.of(TorchFilesTest.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected(String file) throws Exception {
        return new ObjectMapper().readTree(fixture("expected.json").toFile()).get(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_model.pt", "tiny_model_p4.pt", "dtypes.pt", "checkpoint.pt"})
    void everyFixtureReadsToExactlyWhatPyTorchSaved(String file) throws Exception {
        TorchStateDict sd = TorchFiles.readStateDict(fixture(file));
        assertSameTensors(sd, expected(file).get("tensors"));
    }

    /** Compares names (in order), dtypes, shapes and every value exactly with a JSON list written by PyTorch. */
    static void assertSameTensors(TorchStateDict sd, JsonNode tensors) {
        List<String> names = new ArrayList<>();
        tensors.forEach(t -> names.add(t.get("name").asText()));
        assertThat(sd.tensors().keySet()).containsExactlyElementsOf(names);
        for (JsonNode t : tensors) {
            TorchTensor got = sd.tensors().get(t.get("name").asText());
            String what = t.get("name").asText();
            assertThat(got.dtype().torchName()).as(what).isEqualTo(t.get("dtype").asText());
            assertThat(got.shape()).as(what).containsExactly(longs(t.get("shape")));
            if (got.dtype().isFloating()) {
                double[] want = new double[t.get("values").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = t.get("values").get(i).asDouble();
                }
                assertThat(got.toDoubleArray()).as(what).containsExactly(want);
            } else {
                assertThat(got.toLongArray()).as(what).containsExactly(longs(t.get("values")));
            }
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @Test
    void theBatchNormCountIsAZeroDimInt64() {
        TorchTensor count = TorchFiles.readStateDict(fixture("tiny_model.pt")).tensors().get("1.num_batches_tracked");
        assertThat(count.dtype()).isEqualTo(TorchDtype.INT64);
        assertThat(count.shape()).isEmpty();
        assertThat(count.toLongArray()).containsExactly(1L);
    }

    @Test
    void aCheckpointGivesItsStateDictAndItsPlainEntries() {
        TorchStateDict sd = TorchFiles.readStateDict(fixture("checkpoint.pt"));
        assertThat(sd.extras().keySet()).containsExactly("epoch", "arch", "best_prec1", "note");
        assertThat(sd.extras().get("epoch")).isEqualTo(3L);
        assertThat(sd.extras().get("arch")).isEqualTo("tiny");
        assertThat(sd.extras().get("best_prec1")).isEqualTo(41.5);
        assertThat(sd.extras().get("note")).isNull();
    }

    @Test
    void theOptimizerStateIsReadToo() {
        Map<?, ?> root = (Map<?, ?>) TorchFiles.readObject(fixture("checkpoint.pt"));
        Map<?, ?> optimizer = (Map<?, ?>) root.get("optimizer");
        Map<?, ?> state = (Map<?, ?>) optimizer.get("state");
        TorchStateDict sd = TorchFiles.readStateDict(fixture("checkpoint.pt"));
        TorchTensor momentum = (TorchTensor) ((Map<?, ?>) state.get(0L)).get("momentum_buffer");
        assertThat(momentum.shape()).containsExactly(sd.tensors().get("0.weight").shape());
        Map<?, ?> group = (Map<?, ?>) ((List<?>) optimizer.get("param_groups")).get(0);
        assertThat(group.get("momentum")).isEqualTo(0.9);
        assertThat(group.get("nesterov")).isEqualTo(false);
        assertThat(group.get("params")).isEqualTo(List.of(0L, 1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void viewsAndSharedStoragesAreCopiedInRowMajorOrder() {
        Map<String, TorchTensor> t = TorchFiles.readStateDict(fixture("dtypes.pt")).tensors();
        float[] whole = t.get("whole").toFloatArray();
        float[] a = t.get("shared_a").toFloatArray();
        float[] b = t.get("shared_b").toFloatArray();
        for (int i = 0; i < 6; i++) {
            assertThat(a[i]).isEqualTo(whole[i]);
            assertThat(b[i]).isEqualTo(whole[6 + i]);
        }
        float[] tail = t.get("tail").toFloatArray();
        float[] transposed = t.get("transposed").toFloatArray(); // mat.t(): [4, 3]
        for (int i = 0; i < 4; i++) {
            assertThat(transposed[i * 3 + 1]).isEqualTo(tail[i]); // mat[1][i]
        }
    }

    @Test
    void tensorsBecomeNdArraysOfTheirTypes() {
        Map<String, TorchTensor> t = TorchFiles.readStateDict(fixture("dtypes.pt")).tensors();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new TorchStateDict(t, Map.of()).toNDArrays(m);
            assertThat(arrays.get("f16").getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(arrays.get("i16").getDataType()).isEqualTo(DataType.INT32);
            assertThat(arrays.get("i16").toIntArray()).containsExactly(-300, 300);
            assertThat(arrays.get("bf16").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(arrays.get("bf16").toFloatArray()).containsExactly(t.get("bf16").toFloatArray());
            assertThat(arrays.get("i64").toLongArray()).containsExactly(1L << 40, -5, 0);
            assertThat(arrays.get("f64").toDoubleArray()).containsExactly(t.get("f64").toDoubleArray());
            assertThat(arrays.get("bool").toBooleanArray()).containsExactly(true, false, true);
            assertThat(arrays.get("u8").toUint8Array()).containsExactly(0, 255);
            assertThat(arrays.get("transposed").getShape()).isEqualTo(new Shape(4, 3));
            assertThat(arrays.get("transposed").toFloatArray()).containsExactly(t.get("transposed").toFloatArray());
            assertThat(arrays.get("scalar").getShape()).isEqualTo(new Shape());
            assertThat(arrays.get("empty").getShape()).isEqualTo(new Shape(0, 3));
            Map<String, NDArray> floats = new TorchStateDict(t, Map.of()).toFloat32(m);
            assertThat(floats.values()).allMatch(a -> a.getDataType() == DataType.FLOAT32);
            assertThat(floats.get("f16").toFloatArray()).containsExactly(1.5f, -2f, 65504f,
                    Halves.halfToFloat((short) 1), Halves.halfToFloat((short) 0x2E66));
        }
    }

    @Test
    void aLegacyFileIsRefusedWithTheWayOut() {
        assertThatThrownBy(() -> TorchFiles.readStateDict(fixture("legacy.pt")))
                .isInstanceOf(TorchFileException.class)
                .hasMessageContaining("legacy.pt: a legacy torch.save file")
                .hasMessageContaining("re-save it with a current PyTorch");
    }

    /** Protocol 2 names os.system {@code posix.system} (on Linux) and eval {@code __builtin__.eval}. */
    @ParameterizedTest
    @ValueSource(strings = {"malicious.pt:posix.system", "malicious_eval.pt:__builtin__.eval"})
    void aPickleCallingAnyOtherGlobalIsRefusedAndNothingRuns(String fileAndGlobal) throws Exception {
        String[] f = fileAndGlobal.split(":");
        Files.deleteIfExists(PWNED);
        assertThatThrownBy(() -> TorchFiles.readStateDict(fixture(f[0])))
                .isInstanceOf(TorchFileException.class)
                .isInstanceOf(BadFileException.class)
                .hasMessageContaining(f[0] + ": " + f[0].replace(".pt", "") + "/data.pkl byte ")
                .hasMessageContaining("(GLOBAL): global '" + f[1] + "' is not allowed")
                .hasMessageContaining("nothing was run");
        assertThat(PWNED).doesNotExist();
    }

    @Test
    void aMissingFileIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> TorchFiles.readStateDict(dir.resolve("none.pt")))
                .isInstanceOf(BadFileException.class)
                .hasMessage(dir.resolve("none.pt") + ": no such file");
    }

    @Test
    void halvesWidenExactly() {
        assertThat(Halves.halfToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(Halves.halfToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(Halves.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(Halves.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Halves.halfToFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(Float.floatToRawIntBits(Halves.halfToFloat((short) 0x8000))).isEqualTo(0x8000_0000);
        assertThat(Halves.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Halves.halfToFloat((short) 0x7E00)).isNaN();
    }
}
