package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesTheContentsAndReportsTheirSizeAndSha256() throws Exception {
        Path target = dir.resolve("out.bin");
        byte[] contents = new byte[300_000]; // more than the stream's buffer
        for (int i = 0; i < contents.length; i++) {
            contents[i] = (byte) (i * 31 + 7);
        }
        FileDigest digest = AtomicFiles.write(target, out -> {
            out.write(contents, 0, 1000);
            out.write(contents[1000]);
            out.write(contents, 1001, contents.length - 1001);
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(contents);
        assertThat(digest.bytes()).isEqualTo(contents.length);
        String independent = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(contents));
        assertThat(digest.sha256Hex()).isEqualTo(independent);
        assertThat(FileDigest.of(target)).isEqualTo(digest);
        assertThat(names()).containsExactly("out.bin");
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFiles.writeString(target, "old");
        FileDigest d = AtomicFiles.writeString(target, "new contents");
        assertThat(Files.readString(target)).isEqualTo("new contents");
        assertThat(d.bytes()).isEqualTo(12);
        assertThat(names()).containsExactly("a.txt");
    }

    @Test
    void aBodyThatThrowsMidwayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "the old contents");
        IOException boom = new IOException("disk on fire");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write(new byte[200_000]); // some of it reaches the temporary file
                    throw boom;
                }))
                .isSameAs(boom);
        assertThat(Files.readString(target)).isEqualTo("the old contents");
        assertThat(names()).containsExactly("keep.txt");
    }

    @Test
    void anUncheckedFailureIsRethrownUnchangedToo() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "old");
        IllegalStateException boom = new IllegalStateException("bug");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write(1);
                    throw boom;
                }))
                .isSameAs(boom);
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(names()).containsExactly("keep.txt");
    }

    @Test
    void aFailedFirstWriteCreatesNothing() {
        Path target = dir.resolve("new.txt");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            throw new IOException("no");
        })).hasMessage("no");
        assertThat(names()).isEmpty();
    }

    @Test
    void aBodyClosingTheStreamDoesNotBreakTheWrite() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            out.write("abc".getBytes(StandardCharsets.UTF_8));
            out.close();
        });
        assertThat(Files.readString(target)).isEqualTo("abc");
    }

    @Test
    void aMissingDirectoryFailsWithoutCreatingAnything() {
        Path target = dir.resolve("no/such/dir/file.txt");
        assertThatThrownBy(() -> AtomicFiles.writeString(target, "x")).isInstanceOf(IOException.class);
        assertThat(names()).isEmpty();
    }

    @Test
    void temporaryFilesAreRecognisable() {
        assertThat(AtomicFiles.isTemporary(Path.of("/r/.manifest.json.1x2y.tmp"))).isTrue();
        assertThat(AtomicFiles.isTemporary(Path.of("/r/manifest.json"))).isFalse();
    }

    @Test
    void fileDigestRefusesMalformedValues() {
        assertThatThrownBy(() -> new FileDigest(-1, "0".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileDigest(1, "A".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileDigest(1, "0".repeat(63))).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> names() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
