package io.twa4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's lock within one JVM and on disk: a second acquisition is refused naming the first, a
 * left-over lock file is taken again, {@code --overwrite}'s deletion keeps the lock file and the
 * lock, a file system that cannot lock is refused unless the job takes no lock. Two processes:
 * {@code io.twa4j.cli.ConcurrentWritersTest}.
 */
class RunLockTest {

    private static final String ME = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path temp;

    /** Whether the kernel lists a POSIX lock of this process on {@code file} (/proc/locks: "... WRITE pid maj:min:inode ..."). */
    private static boolean kernelLocks(Path file) throws IOException {
        String inode = ":" + Files.getAttribute(file, "unix:ino");
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(line -> List.of(line.trim().split("\\s+")))
                .anyMatch(f -> f.size() > 5 && f.get(1).equals("POSIX") && f.get(4).equals(ME) && f.get(5).endsWith(inode));
    }

    @Test
    void aSecondAcquisitionInThisJvmIsRefusedNamingTheFirstAndTheLockStays() throws IOException {
        Path run = temp.resolve("r");
        try (RunLock first = RunLock.acquire(run, "twa4j twa --name same")) {
            assertThat(first.locks()).isTrue();
            assertThat(kernelLocks(run.resolve(RunLock.FILE))).as("an OS lock").isTrue();
            assertThatThrownBy(() -> RunLock.acquire(run, "twa4j twa --name same"))
                    .isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.INPUT))
                    .hasMessageMatching("run " + java.util.regex.Pattern.quote(run.toString()) + " is in use by `twa4j twa --name same` \\(pid "
                            + ME + " on host \\S+, since \\d\\d:\\d\\d:\\d\\d\\); wait for it to finish");
            assertThat(RunLock.holder(run)).hasValueSatisfying(h -> assertThat(h.pid()).isEqualTo(ProcessHandle.current().pid()));
            assertThat(kernelLocks(run.resolve(RunLock.FILE))).as("still locked after the refusal and the reader").isTrue();
        }
        // read only now: closing any other descriptor of the file in this process would drop the lock
        String record = Files.readString(run.resolve(RunLock.FILE));
        assertThat(record.lines()).hasSize(1);
        JsonNode json = Json.TREE.readTree(record);
        assertThat(json.get("pid").asText()).isEqualTo(ME);
        assertThat(json.get("host").asText()).isNotEmpty();
        assertThat(json.get("command").asText()).isEqualTo("twa4j twa --name same");
        assertThat(Instant.parse(json.get("started").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(RunLock.holder(run)).isEmpty();
        assertThat(run.resolve(RunLock.FILE)).as("the file stays").isRegularFile();
        try (RunLock again = RunLock.acquire(run, "twa4j train")) {
            assertThat(RunLock.holder(run)).hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("twa4j train"));
        }
    }

    @Test
    void aLeftOverLockFileIsTakenAgainAndRewritten() throws IOException {
        Path run = Files.createDirectories(temp.resolve("r"));
        Map<String, Object> old = Map.of("pid", 999_999_999L, "host", "elsewhere", "command", "twa4j train --resume with a long tail",
                "started", "2020-01-01T00:00:00Z");
        Files.writeString(run.resolve(RunLock.FILE), Json.COMPACT.writeValueAsString(old) + "\n");
        try (RunLock lock = RunLock.acquire(run, "twa4j swa")) {
            assertThat(RunLock.holder(run)).hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("twa4j swa"));
        }
        String record = Files.readString(run.resolve(RunLock.FILE));
        assertThat(record.lines()).hasSize(1);
        assertThat(record).contains("\"pid\":" + ME + ",").contains("twa4j swa").doesNotContain("elsewhere").doesNotContain("long tail");
    }

    @Test
    void overwriteDeletesEverythingButTheLockFileAndKeepsTheLock() throws IOException {
        Path run = temp.resolve("r");
        try (RunLock lock = RunLock.acquire(run, "twa4j train --overwrite")) {
            Files.writeString(run.resolve(RunDirectory.CONFIG), "{}");
            Files.createDirectories(run.resolve("snapshots"));
            Files.writeString(run.resolve("snapshots/000000.safetensors"), "x");
            assertThatThrownBy(() -> RunDirectory.create(run, false)).hasMessageContaining("already exists and is not empty");

            RunDirectory.create(run, true);
            try (Stream<Path> left = Files.list(run)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactly(RunLock.FILE);
            }
            assertThat(kernelLocks(run.resolve(RunLock.FILE))).as("the same file, still locked").isTrue();
            assertThat(RunLock.heldHere(run)).isTrue();
            assertThatThrownBy(() -> RunLock.acquire(run, "twa4j train")).hasMessageContaining("is in use by `twa4j train --overwrite`");
            RunDirectory.create(run, false); // a directory with only its lock file counts as empty
        }
    }

    @Test
    void aFileSystemThatCannotLockIsRefusedUnlessTheJobTakesNoLock() {
        Path run = temp.resolve("r");
        assertThatThrownBy(() -> RunLock.acquire(run, "twa4j train", channel -> {
            throw new IOException("Function not implemented");
        })).isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.INPUT))
                .hasMessage("cannot lock run " + run + ": its file system does not support file locks (Function not implemented);"
                        + " pass --no-lock to write without the lock, once you are sure no other command writes to this run");
        assertThat(RunLock.heldHere(run)).isFalse();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RunLock none = RunLock.take(temp.resolve("n"), "twa4j train", RunLock.Mode.NONE,
                Console.of(new PrintStream(out, true, StandardCharsets.UTF_8)))) {
            assertThat(none.locks()).isFalse();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("without its lock (--no-lock)");
        assertThat(temp.resolve("n")).doesNotExist();
    }

    @Test
    void heldModeNeedsTheCallersLock() {
        Path run = temp.resolve("r");
        assertThatThrownBy(() -> RunLock.take(run, "twa4j demo", RunLock.Mode.HELD, Console.silent()))
                .isInstanceOf(IllegalStateException.class);
        try (RunLock outer = RunLock.acquire(run, "twa4j demo");
                RunLock inner = RunLock.take(run, "twa4j train", RunLock.Mode.HELD, Console.silent())) {
            assertThat(inner.locks()).isFalse();
        }
        assertThat(RunLock.heldHere(run)).isFalse();
    }
}
