package io.twa4j.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.io.FileDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestTest {

    @TempDir
    Path run;

    private static final String SHA = "0123456789abcdef".repeat(4);

    /** A valid entry for index 0 with {@code field} replaced by the raw JSON {@code value} (or removed if null). */
    private static String entry(String field, String value) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("index", "0");
        fields.put("epoch", "0");
        fields.put("step", "0");
        fields.put("global_step", "0");
        fields.put("lr", "0.1");
        fields.put("metrics", "{\"loss\":2.5}");
        fields.put("file", "\"000000.safetensors\"");
        fields.put("bytes", "120");
        fields.put("sha256", "\"" + SHA + "\"");
        if (field != null) {
            if (value == null) {
                fields.remove(field);
            } else {
                fields.put(field, value);
            }
        }
        StringBuilder b = new StringBuilder("{");
        fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }

    private static String manifest(String... entries) {
        return "{\"format\":\"twa4j-snapshots/1\",\"snapshots\":[" + String.join(",", entries) + "]}";
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "not a JSON object"),
                Arguments.of("[]", "not a JSON object"),
                Arguments.of("{\"format\":", "not valid JSON"),
                Arguments.of(manifest(entry(null, null)) + " x", "not valid JSON"),
                Arguments.of("{\"format\":\"twa4j-snapshots/2\",\"snapshots\":[]}", "format is \"twa4j-snapshots/2\""),
                Arguments.of("{\"format\":\"twa4j-snapshots/1\"}", "'snapshots' is missing"),
                Arguments.of("{\"format\":\"twa4j-snapshots/1\",\"snapshots\":[],\"x\":1}", "unexpected key 'x'"),
                Arguments.of("{\"format\":\"twa4j-snapshots/1\",\"format\":\"twa4j-snapshots/1\",\"snapshots\":[]}",
                        "Duplicate field 'format'"),
                Arguments.of(manifest("7"), "snapshots[0] is not a JSON object"),
                Arguments.of(manifest(entry("index", "1")), "snapshots[0] has index 1"),
                Arguments.of(manifest(entry("sha256", null)), "snapshots[0] has no 'sha256'"),
                Arguments.of(manifest(entry("sha256", "\"" + SHA.toUpperCase() + "\"")), "64 lower-case hex digits"),
                Arguments.of(manifest(entry("sha256", "\"" + SHA.substring(1) + "\"")), "64 lower-case hex digits"),
                Arguments.of(manifest(entry("epoch", "-1")), "snapshots[0].epoch must be an integer"),
                Arguments.of(manifest(entry("epoch", "1.5")), "snapshots[0].epoch must be an integer"),
                Arguments.of(manifest(entry("step", "3000000000")), "snapshots[0].step must be an integer"),
                Arguments.of(manifest(entry("bytes", "\"120\"")), "snapshots[0].bytes must be a non-negative integer"),
                Arguments.of(manifest(entry("lr", "-0.1")), "snapshots[0].lr must be a non-negative number"),
                Arguments.of(manifest(entry("lr", "\"0.1\"")), "snapshots[0].lr must be a non-negative number"),
                Arguments.of(manifest(entry("lr", "1e999")), "snapshots[0].lr must be a non-negative number"),
                Arguments.of(manifest(entry("metrics", "{\"loss\":\"low\"}")), "metrics['loss'] must be a finite"),
                Arguments.of(manifest(entry("metrics", "[]")), "metrics must be a JSON object"),
                Arguments.of(manifest(entry("file", "\"../000000.safetensors\"")), "expected \"000000.safetensors\""),
                Arguments.of(manifest(entry("file", "\"000001.safetensors\"")), "expected \"000000.safetensors\""),
                Arguments.of(manifest(entry("extra", "true")), "unexpected key 'extra'"),
                Arguments.of(manifest(entry(null, null), entry(null, null)), "snapshots[1] has index 0"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void malformedManifestIsRefusedWithOneLineNamingIt(String text, String problem) throws IOException {
        Path manifest = writeManifest(text.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SnapshotStore.open(run))
                .isInstanceOf(SnapshotException.class)
                .hasMessageStartingWith(manifest + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void invalidUtf8IsRefused() throws IOException {
        byte[] bytes = manifest(entry("metrics", "{\"lossX\":1}")).getBytes(StandardCharsets.UTF_8);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        bytes[text.indexOf("lossX") + 4] = (byte) 0xFF;
        Path manifest = writeManifest(bytes);
        assertThatThrownBy(() -> SnapshotStore.open(run)).hasMessage(manifest + ": manifest is not valid UTF-8");
    }

    @Test
    void aValidHandWrittenManifestIsRead() throws IOException {
        writeManifest(manifest(entry(null, null)).getBytes(StandardCharsets.UTF_8));
        List<SnapshotInfo> list = SnapshotStore.open(run).list();
        assertThat(list).containsExactly(new SnapshotInfo(
                0, new SnapshotMeta(0, 0, 0, 0.1, Map.of("loss", 2.5)), "000000.safetensors", new FileDigest(120, SHA)));
    }

    @Test
    void encodeAndDecodeAreInverse() {
        List<SnapshotInfo> list = List.of(
                new SnapshotInfo(0, SnapshotMeta.of(0, 0, 0, 0.1), Manifest.fileName(0), new FileDigest(8, SHA)),
                new SnapshotInfo(1, new SnapshotMeta(3, 17, 1_234_567_890_123L, 1e-4, Map.of("acc", 0.987654321)),
                        Manifest.fileName(1), new FileDigest(1L << 40, SHA.replace('0', 'f'))));
        String text = Manifest.encode(list);
        assertThat(text).endsWith("}\n");
        assertThat(Manifest.decode("m", text.getBytes(StandardCharsets.UTF_8))).isEqualTo(list);
        assertThat(Manifest.fileName(7)).isEqualTo("000007.safetensors");
        assertThat(Manifest.fileName(1_234_567)).isEqualTo("1234567.safetensors");
    }

    private Path writeManifest(byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(run.resolve("snapshots"));
        Path manifest = dir.resolve("manifest.json");
        Files.write(manifest, bytes);
        return manifest;
    }
}
