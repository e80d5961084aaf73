package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.io.IntegrityException.Kind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileManifestTest {

    @TempDir
    Path root;

    private FileManifest manifest;
    private Path weights;
    private Path summary;

    @BeforeEach
    void twoRecordedFiles() throws IOException {
        manifest = FileManifest.at(root.resolve("results.json"), root);
        Files.createDirectories(root.resolve("twa/a"));
        weights = root.resolve("twa/a/weights.bin");
        summary = root.resolve("twa/a/summary.json");
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        Files.write(weights, data);
        Files.writeString(summary, "{\"acc\": 0.5}\n");
        manifest.record(weights);
        manifest.record(summary, AtomicFiles.writeString(summary, "{\"acc\": 0.5}\n"));
    }

    private static void assertProblem(ThrowingCallable call, Kind kind, Path file, String... fragments) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(IntegrityException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).contains(file.toString()).doesNotContain("\n");
                    for (String fragment : fragments) {
                        assertThat(e.getMessage()).contains(fragment);
                    }
                });
    }

    @Test
    void recordedFilesCheckAndReadBack() throws IOException {
        assertThat(manifest.entries()).containsOnlyKeys("twa/a/summary.json", "twa/a/weights.bin");
        assertThat(manifest.check(weights)).isEqualTo(FileDigest.of(weights));
        assertThat((String) manifest.verifiedRead(summary, Files::readString)).isEqualTo("{\"acc\": 0.5}\n");
        assertThat(manifest.entry(weights)).contains(FileDigest.of(weights));
        assertThat(manifest.entry(root.resolve("other"))).isEmpty();
        // a second object on the same file sees the same list
        assertThat(FileManifest.at(manifest.file(), root).entries()).isEqualTo(manifest.entries());
    }

    @Test
    void aTruncatedFileIsReportedAndNotRead() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(4000);
        }
        boolean[] read = {false};
        assertProblem(() -> manifest.verifiedRead(weights, p -> read[0] = true), Kind.TRUNCATED, weights,
                "truncated", "4000 bytes", "results.json records 10000");
        assertThat(read[0]).isFalse();
    }

    @Test
    void aChangedByteOfTheSameSizeIsCorrupt() throws IOException {
        byte[] data = Files.readAllBytes(weights);
        data[5000] ^= 1;
        Files.write(weights, data);
        assertProblem(() -> manifest.check(weights), Kind.CORRUPT, weights, "corrupt", "SHA-256");
    }

    @Test
    void aLongerMissingOrUnlistedFileIsReported() throws IOException {
        Files.writeString(summary, "{\"acc\": 0.5}\n\n");
        assertProblem(() -> manifest.check(summary), Kind.LONGER, summary, "14 bytes", "records 13");
        Files.delete(weights);
        assertProblem(() -> manifest.check(weights), Kind.MISSING, weights, "missing");
        Path stray = root.resolve("twa/a/stray.txt");
        Files.writeString(stray, "x");
        assertProblem(() -> manifest.check(stray), Kind.UNLISTED, stray, "not listed in");
    }

    @Test
    void forgetRemovesAFileOrADirectoryAndKeepsTheRest() throws IOException {
        Path other = root.resolve("twa/ab.txt"); // shares the prefix "twa/a" but is not under twa/a/
        Files.writeString(other, "keep");
        manifest.record(other);
        assertThat(manifest.forget(root.resolve("twa/a"))).isEqualTo(2);
        assertThat(manifest.entries()).containsOnlyKeys("twa/ab.txt");
        assertThat(manifest.forget(other)).isEqualTo(1);
        assertThat(manifest.entries()).isEmpty();
    }

    @Test
    void pathsOutsideTheRootAndTheManifestItselfAreRefused() {
        assertThatThrownBy(() -> manifest.record(root.resolve("../elsewhere.txt"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manifest.record(root)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manifest.record(manifest.file())).isInstanceOf(IllegalArgumentException.class);
        assertThat(manifest.key(root.resolve("twa/./a/../a/weights.bin"))).isEqualTo("twa/a/weights.bin");
    }

    @Test
    void recordingAMissingFileLeavesTheManifestUnchanged() throws IOException {
        String before = Files.readString(manifest.file());
        assertProblem(() -> manifest.record(root.resolve("nothing.bin")), Kind.MISSING, root.resolve("nothing.bin"));
        assertThat(manifest.file()).hasContent(before);
    }

    @Test
    void damagedManifestsAreRefusedNamingTheProblem() throws IOException {
        String good = Files.readString(manifest.file());
        String sha = FileDigest.of(weights).sha256Hex();
        String[][] cases = {
            {good.substring(0, good.length() / 2), "not valid JSON"},
            {"[]", "not a JSON object"},
            {"{\"format\": \"twa4j-files/2\", \"files\": {}}", "format is"},
            {"{\"format\": \"twa4j-files/1\"}", "'files' is missing"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {}, \"extra\": 1}", "unexpected key 'extra'"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {\"../x\": {\"bytes\": 1, \"sha256\": \"" + sha + "\"}}}", "not a relative path"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {\"/x\": {\"bytes\": 1, \"sha256\": \"" + sha + "\"}}}", "not a relative path"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {\"x\": {\"bytes\": -1, \"sha256\": \"" + sha + "\"}}}", "bytes must be"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {\"x\": {\"bytes\": 1, \"sha256\": \"ABC\"}}}", "sha256 must be"},
            {"{\"format\": \"twa4j-files/1\", \"files\": {\"x\": {\"bytes\": 1, \"sha256\": \"" + sha + "\"},"
                + " \"x\": {\"bytes\": 1, \"sha256\": \"" + sha + "\"}}}", "Duplicate field"},
        };
        for (String[] c : cases) {
            Files.writeString(manifest.file(), c[0], StandardCharsets.UTF_8);
            assertProblem(() -> manifest.check(weights), Kind.BAD_MANIFEST, manifest.file(), c[1]);
            // and an update does not overwrite what it cannot read
            assertProblem(() -> manifest.record(summary), Kind.BAD_MANIFEST, manifest.file());
            assertThat(manifest.file()).hasContent(c[0]);
        }
    }

    @Test
    void anAbsentManifestIsAnEmptyListAndUpdatesLeaveNoTemporaryFile() throws IOException {
        FileManifest fresh = FileManifest.at(root.resolve("fresh.json"), root);
        assertThat(fresh.exists()).isFalse();
        assertThat(fresh.entries()).isEmpty();
        assertProblem(() -> fresh.check(weights), Kind.UNLISTED, weights);
        fresh.record(weights);
        assertThat(fresh.exists()).isTrue();
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("results.json", "fresh.json", "twa");
        }
    }
}
