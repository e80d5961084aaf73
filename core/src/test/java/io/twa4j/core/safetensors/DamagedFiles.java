package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.io.BadFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/** A scratch directory in which property tests read byte arrays as safetensors files. */
final class DamagedFiles implements AutoCloseable {

    /** What reading a file gave: the tensors as float arrays, or the exception. */
    record Outcome(Map<String, float[]> tensors, BadFileException error) {}

    private final Path dir;

    DamagedFiles() {
        try {
            dir = Files.createTempDirectory("twa4j-damage");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * Reads {@code bytes} as a safetensors file (header, then data). An exception other than
     * {@link BadFileException}, a message that is not one line naming the file, an array left
     * behind after a refusal, or a read taking over 10 seconds (a hang) fails the calling test.
     */
    Outcome read(byte[] bytes) {
        Path file = dir.resolve("damaged.safetensors");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> read(file));
    }

    private static Outcome read(Path file) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, float[]> out = new LinkedHashMap<>();
            try {
                Header h = SafeTensors.readHeader(file);
                SafeTensors.read(file, m).forEach((k, v) -> out.put(k, v.toFloatArray()));
                assertThat(out.keySet()).containsExactlyElementsOf(h.names());
                return new Outcome(out, null);
            } catch (BadFileException e) {
                assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
                assertThat(m.getManagedArrays()).isEmpty();
                return new Outcome(null, e);
            } catch (RuntimeException e) {
                return fail("expected a BadFileException or success, got " + e, e);
            }
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
