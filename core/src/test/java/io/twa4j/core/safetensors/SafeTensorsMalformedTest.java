package io.twa4j.core.safetensors;

import static io.twa4j.core.safetensors.SafeTensorsBytes.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.io.BadFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed file is refused with a one-line {@link BadFileException} naming file and problem. */
class SafeTensorsMalformedTest {

    @TempDir
    Path dir;

    private static final byte[] EIGHT = new byte[8];

    private static String f32(String name, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    static Stream<Arguments> malformed() {
        byte[] badUtf8 = "{\"x\u00e9\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}"
                .getBytes(StandardCharsets.UTF_8);
        badUtf8[3] = (byte) 0xC3; // keep the lead byte ...
        badUtf8[4] = (byte) 0x28; // ... but follow it with a non-continuation byte
        return Stream.of(
                Arguments.of("empty file", new byte[0], "too short"),
                Arguments.of("seven bytes", new byte[7], "too short"),
                Arguments.of("length with top bit set", file(-1L, new byte[0], EIGHT), "exceeds the limit"),
                Arguments.of("length over the cap", file(100_000_001L, new byte[0], EIGHT), "exceeds the limit"),
                Arguments.of("length past the end", file(64, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                        "runs past the end"),
                Arguments.of("zero-length header", file(0, new byte[0], new byte[0]), "does not start with '{'"),
                Arguments.of("array header", file("[]", new byte[0]), "does not start with '{'"),
                Arguments.of("unterminated JSON", file("{\"x\":", new byte[0]), "not valid JSON"),
                Arguments.of("trailing JSON", file("{}{}", new byte[0]), "not valid JSON"),
                Arguments.of("trailing junk in padding", file("{}  x", new byte[0]), "not valid JSON"),
                Arguments.of("NUL padding", file("{}\0\0", new byte[0]), "not valid JSON"),
                Arguments.of("invalid UTF-8", file(badUtf8.length, badUtf8, new byte[4]), "not valid UTF-8"),
                Arguments.of("duplicate tensor", file("{" + f32("a", "[1]", 0, 4) + "," + f32("a", "[1]", 4, 8) + "}",
                        EIGHT), "not valid JSON: 'a': Duplicate field 'a'"),
                Arguments.of("tensor not an object", file("{\"a\":[1]}", new byte[0]), "is not described by a JSON object"),
                Arguments.of("no dtype", file("{\"a\":{\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]),
                        "has no string 'dtype'"),
                Arguments.of("unknown dtype", file("{\"a\":{\"dtype\":\"F33\",\"shape\":[],\"data_offsets\":[0,4]}}",
                        new byte[4]), "unknown dtype 'F33'"),
                Arguments.of("unexpected key", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],"
                        + "\"x\":1}}", new byte[4]), "unexpected key 'x'"),
                Arguments.of("negative dimension", file("{" + f32("a", "[-1]", 0, 4) + "}", new byte[4]),
                        "not a non-negative integer"),
                Arguments.of("fractional dimension", file("{" + f32("a", "[1.0]", 0, 4) + "}", new byte[4]),
                        "not a non-negative integer"),
                Arguments.of("huge dimension", file("{" + f32("a", "[99999999999999999999]", 0, 4) + "}", new byte[4]),
                        "not a non-negative integer"),
                Arguments.of("shape overflows", file("{" + f32("a", "[4294967296,4294967296]", 0, 0) + "}", new byte[0]),
                        "too large"),
                Arguments.of("empty tensor with overflowing strides",
                        file("{" + f32("a", "[0,1099511627776,1099511627776]", 0, 0) + "}", new byte[0]), "too large"),
                Arguments.of("three offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4,8]}}",
                        new byte[4]), "must hold 2 numbers"),
                Arguments.of("offsets backwards", file("{" + f32("a", "[]", 4, 0) + "}", new byte[4]),
                        "end before they begin"),
                Arguments.of("offsets not matching the shape", file("{" + f32("a", "[2]", 0, 4) + "}", new byte[4]),
                        "span 4 bytes but F32 (2) needs 8"),
                Arguments.of("overlapping tensors", file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12)
                        + "}", new byte[12]), "overlaps tensor 'a'"),
                Arguments.of("gap between tensors", file("{" + f32("a", "[1]", 0, 4) + "," + f32("b", "[1]", 8, 12)
                        + "}", new byte[12]), "belong to no tensor"),
                Arguments.of("data beyond the file", file("{" + f32("a", "[2]", 0, 8) + "}", new byte[4]),
                        "truncated: the tensors need 8 data bytes, the file holds 4"),
                Arguments.of("trailing garbage", file("{" + f32("a", "[1]", 0, 4) + "}", new byte[6]),
                        "2 trailing bytes after the last tensor's data"),
                Arguments.of("metadata not an object", file("{\"__metadata__\":[]}", new byte[0]),
                        "__metadata__ is not a JSON object"),
                Arguments.of("metadata value not a string", file("{\"__metadata__\":{\"lr\":0.1}}", new byte[0]),
                        "value of 'lr' is not a string"),
                Arguments.of("unsupported dtype on read", file("{\"a\":{\"dtype\":\"U16\",\"shape\":[1],"
                        + "\"data_offsets\":[0,2]}}", new byte[2]), "has dtype U16, which twa4j does not read"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedWithOneLineNamingFileAndProblem(String what, byte[] bytes, String problem) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SafeTensors.read(file, m))
                    .isInstanceOf(BadFileException.class)
                    .hasMessageStartingWith(file + ": ")
                    .hasMessageContaining(problem)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void anyJsonWhitespaceMayPadTheHeaderAsInTheReferenceReader() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        Files.write(file, file("{" + f32("a", "[1]", 0, 4) + "} \n\t\r ", new byte[] {0, 0, (byte) 0x80, 0x3F}));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            assertThat(t.get("a").toFloatArray()).containsExactly(1f);
        }
    }

    @Test
    void tensorsAreReturnedInDataOrderWhateverTheJsonOrder() throws IOException {
        Path file = dir.resolve("order.safetensors");
        byte[] data = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0x40}; // 1.0f, 2.0f
        Files.write(file, file("{" + f32("second", "[1]", 4, 8) + "," + f32("first", "[1]", 0, 4) + "}", data));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            assertThat(t.keySet()).containsExactly("first", "second");
            assertThat(t.get("second").toFloatArray()).containsExactly(2f);
        }
    }

    @Test
    void anEmptyHeaderIsAValidFileWithoutTensors() throws IOException {
        Path file = dir.resolve("none.safetensors");
        Files.write(file, file("{}      ", new byte[0]));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(SafeTensors.read(file, m)).isEmpty();
        }
    }
}
