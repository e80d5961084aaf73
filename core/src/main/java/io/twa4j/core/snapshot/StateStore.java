package io.twa4j.core.snapshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.BadFileException;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.FileManifest;
import io.twa4j.core.io.IntegrityException;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.io.Json;
import io.twa4j.core.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The resumable states of a run: each one a safetensors file of tensors (weights, optimiser
 * buffers, averages) and a JSON record naming it with its size, SHA-256 and string metadata
 * (position, counters). The record is written after the tensors, so a state exists only once both
 * are complete; a state is used only after its file matches the record. The newest {@link #KEEP}
 * states are kept, so a damaged newest state still leaves one to fall back on.
 */
public final class StateStore {

    /** How many complete states are kept. */
    public static final int KEEP = 2;

    private static final String FORMAT = "twa4j-state/1";

    private final Path directory;

    /** The states in {@code directory} (created when the first state is saved). */
    public StateStore(Path directory) {
        this.directory = directory;
    }

    /** The directory holding the states. */
    public Path directory() {
        return directory;
    }

    /**
     * A saved state: its sequence number (larger is newer), its file and its metadata.
     *
     * @param sequence the number it was saved under
     * @param file the tensors' file
     * @param metadata the string metadata saved with it
     */
    public record Saved(long sequence, Path file, Map<String, String> metadata) {

        /** The metadata value {@code key}; fails naming the state when it is absent. */
        public String get(String key) {
            String value = metadata.get(key);
            if (value == null) {
                throw new SnapshotException("state " + file + " lacks '" + key + "'");
            }
            return value;
        }

        /** {@link #get} as a long. */
        public long getLong(String key) {
            try {
                return Long.parseLong(get(key));
            } catch (NumberFormatException e) {
                throw new SnapshotException("state " + file + ": '" + key + "' is not a number: " + metadata.get(key), e);
            }
        }

        /** {@link #get} as a double (written with {@link Double#toString}, so exact). */
        public double getDouble(String key) {
            try {
                return Double.parseDouble(get(key));
            } catch (NumberFormatException e) {
                throw new SnapshotException("state " + file + ": '" + key + "' is not a number: " + metadata.get(key), e);
            }
        }
    }

    /**
     * The newest complete state and the problems found on the way to it.
     *
     * @param state the newest state whose file matches its record, or null when there is none
     * @param problems one line for each newer state that was skipped (damaged or incomplete)
     */
    public record Latest(Saved state, List<String> problems) {}

    /**
     * Saves a state under {@code sequence} (larger than any saved before), then deletes all but
     * the newest {@link #KEEP} states.
     *
     * @throws SnapshotException if it cannot be written (older states are then untouched)
     */
    public Saved save(long sequence, Map<String, ? extends NDArray> tensors, Map<String, String> metadata) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SnapshotException(directory + ": cannot create the directory: " + IoMessages.reason(e), e);
        }
        String base = String.format(Locale.ROOT, "%012d", sequence);
        Path file = directory.resolve(base + ".safetensors");
        FileDigest digest;
        try {
            digest = SafeTensors.write(file, tensors, metadata);
        } catch (BadFileException e) {
            throw SnapshotException.of(e);
        }
        ObjectNode record = Json.object();
        record.put("format", FORMAT);
        record.put("sequence", sequence);
        record.put("file", file.getFileName().toString());
        digest.putInto(record);
        ObjectNode meta = record.putObject("metadata");
        metadata.forEach(meta::put);
        Path recordFile = directory.resolve(base + ".json");
        try {
            AtomicFiles.writeString(recordFile, Json.toFileText(record));
        } catch (IOException e) {
            throw new SnapshotException(recordFile + ": cannot write: " + IoMessages.reason(e), e);
        }
        prune();
        return new Saved(sequence, file, Map.copyOf(metadata));
    }

    /** The newest complete, intact state (checked against its SHA-256), and what was skipped. */
    public Latest latest() {
        List<String> problems = new ArrayList<>();
        for (Path record : records()) {
            try {
                return new Latest(check(record), problems);
            } catch (SnapshotException e) {
                problems.add(e.getMessage());
            }
        }
        return new Latest(null, problems);
    }

    /**
     * Every state checked against its record.
     *
     * @param intact the states whose files match their records (the files each vouches for: its record and tensors)
     * @param problems one line for each damaged or incomplete state
     */
    public record Check(List<Saved> intact, List<String> problems) {}

    /** Checks every state's file against its record (what {@code twa4j verify} reports). */
    public Check checkAll() {
        List<Saved> intact = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path record : records()) {
            try {
                intact.add(check(record));
            } catch (SnapshotException e) {
                problems.add(e.getMessage());
            }
        }
        return new Check(intact, problems);
    }

    /** The record file of {@code state}. */
    public Path recordOf(Saved state) {
        return directory.resolve(state.file().getFileName().toString().replace(".safetensors", ".json"));
    }

    /**
     * Reads the tensors of {@code state} in their stored types, owned by {@code manager}, after
     * checking the file against its record again.
     */
    public Map<String, NDArray> read(Saved state, NDManager manager) {
        check(recordOf(state));
        try {
            return SafeTensors.readStored(state.file(), manager);
        } catch (BadFileException e) {
            throw SnapshotException.of(e);
        }
    }

    /**
     * Deletes every state newer than {@code state} (damaged ones a resume skipped), so that the
     * states written from here on are the newest.
     */
    public void dropNewerThan(Saved state) {
        String kept = state.file().getFileName().toString().substring(0, 12);
        try {
            for (Path file : files()) {
                if (file.getFileName().toString().substring(0, 12).compareTo(kept) > 0) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException(directory + ": cannot delete newer states: " + IoMessages.reason(e), e);
        }
    }

    /** Deletes every state. */
    public void clear() {
        try {
            for (Path file : files()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new SnapshotException(directory + ": cannot delete old states: " + IoMessages.reason(e), e);
        }
    }

    private Saved check(Path record) {
        JsonNode node = readRecord(record);
        String name = node.get("file").asText();
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new SnapshotException("state record " + record + " names a file outside its directory: " + name);
        }
        FileDigest digest = FileDigest.from(node, "", problem -> new SnapshotException("state record " + record + ": " + problem));
        Path file = directory.resolve(name);
        try {
            FileManifest.check(file, digest, record.getFileName().toString());
        } catch (IntegrityException e) {
            throw new SnapshotException("state " + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.get("metadata").properties()) {
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        return new Saved(node.path("sequence").asLong(), file, metadata);
    }

    /** A state record's JSON, with its format, a file name and metadata (the digest is read by the caller). */
    private static JsonNode readRecord(Path record) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(record);
        } catch (IOException e) {
            throw new SnapshotException("state record " + record + ": cannot read: " + IoMessages.reason(e), e);
        }
        JsonNode node = Json.readObject(bytes, "state record " + record, SnapshotException::new);
        if (!FORMAT.equals(node.path("format").asText()) || !node.path("file").isTextual() || !node.path("metadata").isObject()) {
            throw new SnapshotException("state record " + record + " is not a " + FORMAT + " record");
        }
        return node;
    }

    /** The state records, newest first. */
    private List<Path> records() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> p.getFileName().toString().matches("\\d{12}\\.json"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        } catch (IOException e) {
            throw new SnapshotException(directory + ": cannot list: " + IoMessages.reason(e), e);
        }
    }

    private List<Path> files() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> p.getFileName().toString().matches("\\d{12}\\.(json|safetensors)")).toList();
        }
    }

    /** Deletes every state older than the newest {@link #KEEP} complete records (and orphaned files). */
    private void prune() {
        List<Path> records = records();
        if (records.size() <= KEEP) {
            return;
        }
        String oldestKept = records.get(KEEP - 1).getFileName().toString().substring(0, 12);
        try {
            for (Path file : files()) {
                if (file.getFileName().toString().substring(0, 12).compareTo(oldestKept) < 0) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException(directory + ": cannot delete old states: " + IoMessages.reason(e), e);
        }
    }
}
