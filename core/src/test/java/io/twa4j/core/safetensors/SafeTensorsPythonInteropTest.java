package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our files open in the Python {@code safetensors} library, and its files open with our reader.
 * Skipped (with the reason) where {@code python3} or its {@code safetensors}/{@code numpy} modules
 * are missing: {@code pip install safetensors numpy}.
 */
class SafeTensorsPythonInteropTest {

    /** Prints every tensor of argv[1] as JSON: name, numpy dtype, shape, values as float64, metadata. */
    private static final String DUMP = String.join("\n",
            "import json, sys",
            "import numpy as np",
            "from safetensors import safe_open",
            "from safetensors.numpy import load_file",
            "tensors = load_file(sys.argv[1])",
            "with safe_open(sys.argv[1], framework='np') as f:",
            "    meta = f.metadata()",
            "out = {'metadata': meta, 'tensors': {}}",
            "for name, a in tensors.items():",
            "    out['tensors'][name] = {'dtype': str(a.dtype), 'shape': list(a.shape),",
            "                            'values': a.astype(np.float64).ravel().tolist()}",
            "print(json.dumps(out))");

    /** Reads argv[1] with nothing but the Python standard library (for BF16, which numpy lacks). */
    private static final String RAW_BF16 = String.join("\n",
            "import json, struct, sys",
            "data = open(sys.argv[1], 'rb').read()",
            "n = struct.unpack('<Q', data[:8])[0]",
            "assert n % 8 == 0, n",
            "header = json.loads(data[8:8 + n].decode('utf-8'))",
            "body = data[8 + n:]",
            "out = {}",
            "for name, t in header.items():",
            "    if name == '__metadata__': continue",
            "    b, e = t['data_offsets']",
            "    halves = struct.unpack('<%dH' % ((e - b) // 2), body[b:e])",
            "    vals = [struct.unpack('<f', struct.pack('<I', h << 16))[0] for h in halves]",
            "    out[name] = {'dtype': t['dtype'], 'shape': t['shape'], 'values': vals}",
            "print(json.dumps(out))");

    private static final String WRITE = String.join("\n",
            "import sys",
            "import numpy as np",
            "from safetensors.numpy import save_file",
            "save_file({",
            "    'a': np.arange(6, dtype=np.float32).reshape(2, 3) / 4,",
            "    'b': np.array([1.5, -2, 65504], dtype=np.float16),",
            "    'c': np.array([[1, -2]], dtype=np.int64),",
            "    'd': np.array(3.25, dtype=np.float64),",
            "    'e': np.array([7, -8], dtype=np.int32),",
            "    'z': np.zeros((0, 3), dtype=np.float32),",
            "    'x4': np.linspace(-1, 1, 2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5),",
            "}, sys.argv[1], metadata={'format': 'np', 'written_by': 'python'})");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static String unavailable;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPython() {
        try {
            Result r = python(List.of("-c", "import safetensors, numpy; print(safetensors.__version__)"));
            unavailable = r.exit == 0 ? null : "python3 lacks safetensors/numpy (pip install safetensors numpy): "
                    + lastLine(r.output);
        } catch (IOException e) {
            unavailable = "no python3 on the PATH: " + e.getMessage();
        }
    }

    @Test
    void pythonReadsOurFile() throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        Path file = dir.resolve("ours.safetensors");
        Map<String, float[]> expected = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("conv.weight", m.arange(0f, 24f).div(7f).sub(1f).reshape(2, 3, 2, 2));
            t.put("fc.bias", m.create(new float[] {0.1f, -0.2f, 3e-39f}));
            t.put("scale", m.create(2.5f));
            t.put("empty", m.create(new Shape(0, 3), DataType.FLOAT32));
            t.put("steps", m.create(new long[] {1L << 40, -5}));
            t.put("d", m.create(new double[] {0.1}));
            try (NDArray f = m.create(new float[] {1.5f, -0.25f, 65504f})) {
                t.put("half", f.toType(DataType.FLOAT16, true));
            }
            t.forEach((k, v) -> {
                try (NDArray f = v.toType(DataType.FLOAT32, true)) {
                    expected.put(k, f.toFloatArray());
                }
            });
            SafeTensors.write(file, t, Map.of("epoch", "3", "note", "h\u00e9llo"));
        }
        JsonNode out = runJson(DUMP, file);
        assertThat(out.get("metadata").get("epoch").asText()).isEqualTo("3");
        assertThat(out.get("metadata").get("note").asText()).isEqualTo("h\u00e9llo");
        JsonNode tensors = out.get("tensors");
        assertThat(names(tensors)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(tensors.get("conv.weight").get("shape").toString()).isEqualTo("[2,3,2,2]");
        assertThat(tensors.get("conv.weight").get("dtype").asText()).isEqualTo("float32");
        assertThat(tensors.get("scale").get("shape").toString()).isEqualTo("[]");
        assertThat(tensors.get("empty").get("shape").toString()).isEqualTo("[0,3]");
        assertThat(tensors.get("steps").get("dtype").asText()).isEqualTo("int64");
        assertThat(tensors.get("d").get("dtype").asText()).isEqualTo("float64");
        assertThat(tensors.get("half").get("dtype").asText()).isEqualTo("float16");
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            if (!e.getKey().equals("d") && !e.getKey().equals("steps")) {
                assertThat(floats(tensors.get(e.getKey()).get("values"))).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
        assertThat(tensors.get("d").get("values").get(0).asDouble()).isEqualTo(0.1);
        assertThat(tensors.get("steps").get("values").get(0).asDouble()).isEqualTo(0x1p40);
    }

    @Test
    void pythonsStandardLibraryReadsOurBf16() throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        Path file = dir.resolve("bf16.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(file, Map.of("w", m.create(new float[] {1f, -2.5f, 3.14159f, 1e-3f}, new Shape(2, 2))),
                    Map.of(), DataType.BFLOAT16);
        }
        JsonNode w = runJson(RAW_BF16, file).get("w");
        assertThat(w.get("dtype").asText()).isEqualTo("BF16");
        assertThat(w.get("shape").toString()).isEqualTo("[2,2]");
        float[] expected = {1f, -2.5f, Bfloat16.toFloat(Bfloat16.fromFloat(3.14159f)),
            Bfloat16.toFloat(Bfloat16.fromFloat(1e-3f))};
        assertThat(floats(w.get("values"))).isEqualTo(expected);
        assertThat(expected[2]).isEqualTo(3.140625f); // 0x4049, the nearest bf16 to pi-ish
    }

    @Test
    void weReadPythonsFile() throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        Path file = dir.resolve("theirs.safetensors");
        Result r = python(List.of("-c", WRITE, file.toString()));
        assertThat(r.exit).as(r.output).isZero();

        Header h = SafeTensors.readHeader(file);
        assertThat(h.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("format", "np", "written_by", "python"));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            assertThat(t.keySet()).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "z", "x4");
            assertThat(t.get("a").getShape()).isEqualTo(new Shape(2, 3));
            assertThat(t.get("a").toFloatArray()).containsExactly(0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f);
            assertThat(t.get("b").toFloatArray()).containsExactly(1.5f, -2f, 65504f);
            assertThat(t.get("c").getShape()).isEqualTo(new Shape(1, 2));
            assertThat(t.get("c").toFloatArray()).containsExactly(1f, -2f);
            assertThat(t.get("d").getShape()).isEqualTo(new Shape());
            assertThat(t.get("d").toFloatArray()).containsExactly(3.25f);
            assertThat(t.get("e").toFloatArray()).containsExactly(7f, -8f);
            assertThat(t.get("z").getShape()).isEqualTo(new Shape(0, 3));
            assertThat(t.get("x4").getShape()).isEqualTo(new Shape(2, 3, 4, 5));
            float[] x4 = t.get("x4").toFloatArray();
            assertThat(x4[0]).isEqualTo(-1f);
            assertThat(x4[x4.length - 1]).isEqualTo(1f);

            Map<String, NDArray> stored = SafeTensors.readStored(file, m);
            assertThat(stored.get("b").getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(stored.get("c").getDataType()).isEqualTo(DataType.INT64);
            assertThat(stored.get("d").getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(stored.get("e").getDataType()).isEqualTo(DataType.INT32);
        }
        // and our own writer reproduces Python's file exactly when given the same tensors in its order
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> stored = SafeTensors.readStored(file, m);
            Path copy = dir.resolve("copy.safetensors");
            Map<String, String> meta = new LinkedHashMap<>(SafeTensors.readHeader(file).metadata());
            SafeTensors.write(copy, stored, meta);
            assertThat(copy).hasSameBinaryContentAs(file);
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1];
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode runJson(String script, Path file) throws Exception {
        Result r = python(List.of("-c", script, file.toString()));
        assertThat(r.exit).as(r.output).isZero();
        return JSON.readTree(r.output);
    }

    private record Result(int exit, String output) {}

    private static Result python(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("python3");
        command.addAll(args);
        Path output = Files.createTempFile("twa4j-python", ".out");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            p.getOutputStream().close(); // nothing to read on stdin
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("python3 did not finish within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
