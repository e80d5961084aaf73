package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** A small complete run for integrity tests: 2 epochs, snapshots 0..2, and a TWA result twa/p0-3. */
final class TinyRun {

    /** The TWA result's directory inside the run. */
    static final String TWA = "twa/p0-3";

    private TinyRun() {}

    /** Trains the run into {@code run} (a few seconds on synthetic data). */
    static Path train(Path run) {
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--model", "cnn", "--epochs", "2",
                "--lr", "0.05", "--train-limit", "256", "--test-limit", "100", "--seed", "7", "--device", "cpu",
                "--twa-after", "2", "--twa-epochs", "1", "--twa-lr", "0.5", "--keep-snapshots", "--run", run.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        return run;
    }

    /** A copy of the directory tree {@code from} at {@code to}, to damage without touching the original. */
    static Path copy(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.sorted().toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The regular files under {@code run}, relative to it, sorted: what a run wrote, to compare two runs. */
    static java.util.List<String> files(Path run) {
        try (Stream<Path> walk = Files.walk(run)) {
            return walk.filter(Files::isRegularFile).map(file -> run.relativize(file).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts {@code file} to {@code length} bytes. */
    static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    /** Flips one bit of the byte at {@code position} (negative: from the end), keeping the size. */
    static void flip(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = position < 0 ? f.length() + position : position;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 1);
        }
    }
}
