package io.twa4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import io.twa4j.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run directory: {@code run.json} (the configuration), {@code metrics.jsonl} (one JSON object
 * per epoch and phase), {@code snapshots/} and results.
 */
final class RunDirectory {

    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /**
     * Prepares {@code root} for a new run: creates it, or, when it exists and is not empty,
     * refuses unless {@code overwrite} (then empties it).
     */
    static RunDirectory create(Path root, boolean overwrite) {
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw UserError.badInput("run directory " + root + " exists and is not a directory");
            }
            if (Files.isDirectory(root) && !isEmpty(root)) {
                if (!overwrite) {
                    throw UserError.usage("run directory " + root + " already exists and is not empty;"
                            + " choose another --run, pass --resume to continue it, or --overwrite to replace it");
                }
                deleteContents(root);
            }
            Files.createDirectories(root);
            return new RunDirectory(root);
        } catch (IOException e) {
            throw UserError.badInput("cannot prepare run directory " + root + ": " + e.getMessage());
        }
    }

    /** Opens an existing run; fails clearly when {@code run.json} is missing. */
    static RunDirectory open(Path root) {
        if (!Files.isRegularFile(root.resolve("run.json"))) {
            throw UserError.badInput("no run at " + root + " (run.json is missing); pass the --run directory of a twa4j train");
        }
        return new RunDirectory(root);
    }

    Path root() {
        return root;
    }

    Path resolve(String name) {
        return root.resolve(name);
    }

    void writeConfig(RunConfig config) {
        try {
            AtomicFiles.writeString(root.resolve("run.json"), Json.MAPPER.writeValueAsString(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + root.resolve("run.json"), e);
        }
    }

    RunConfig readConfig() {
        Path file = root.resolve("run.json");
        try {
            return Json.MAPPER.readValue(file.toFile(), RunConfig.class);
        } catch (JacksonException e) {
            throw UserError.badInput(file + " is malformed: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw UserError.badInput("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Appends one JSON object as a line to {@code metrics.jsonl}. */
    void appendMetrics(Map<String, Object> line) {
        Path file = root.resolve("metrics.jsonl");
        try {
            Files.writeString(file, Json.COMPACT.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** The size of {@code metrics.jsonl} (0 before the first line). */
    long metricsBytes() {
        try {
            Path file = root.resolve("metrics.jsonl");
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + root.resolve("metrics.jsonl"), e);
        }
    }

    /**
     * Cuts {@code metrics.jsonl} back to its first {@code bytes} bytes: resuming forgets the lines
     * written after the state it resumes from.
     */
    void truncateMetrics(long bytes) {
        Path file = root.resolve("metrics.jsonl");
        try {
            if (!Files.exists(file)) {
                if (bytes == 0) {
                    return;
                }
                throw UserError.badInput(file + " is missing, but the run's state records " + bytes + " bytes of it");
            }
            long size = Files.size(file);
            if (size < bytes) {
                throw UserError.badInput(file + " has " + size + " bytes, the run's state records " + bytes + " (truncated?)");
            }
            try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(bytes);
                channel.force(true);
            }
        } catch (IOException e) {
            throw UserError.badInput("cannot truncate " + file + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) throws IOException {
        deleteContents(dir);
        Files.deleteIfExists(dir);
    }

    private static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) entries.sorted((a, b) -> b.getNameCount() - a.getNameCount())::iterator) {
                if (!path.equals(dir)) {
                    Files.delete(path);
                }
            }
        }
    }
}
