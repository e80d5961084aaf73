package io.twa4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.io.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One writer per run directory: an exclusive OS file lock ({@link FileChannel#tryLock}) on {@code
 * RUN/lock}, held by the process that writes the run for as long as it writes. The kernel drops
 * the lock when that process ends, even by SIGKILL, so there is never a stale lock to clean up: a
 * lock file left behind is simply taken again. The file records the holder (pid, host, command,
 * start time, as one line of JSON), so that a second writer is refused with one line naming it:
 *
 * <pre>
 * run runs/r is in use by `twa4j twa --name same` (pid 1234 on host h, since 21:45:02); wait for it to finish
 * </pre>
 *
 * <p>The jobs take it themselves ({@code TrainingJob.start} and {@code resume}, {@code
 * SnapshotTwa.run}), as their request's {@link Mode} says; readers take none ({@link #holder}
 * tells them whether a writer is at work). The file stays in the run when the lock is released,
 * and {@code --overwrite} keeps it: deleting it while a process holds it would let a second one
 * lock a new file of the same name. Within one JVM a second acquisition of a run is refused like
 * another process's (the OS lock belongs to the process, so the JVM keeps its own table).
 *
 * <p>The lock is a POSIX record lock: closing <em>any</em> descriptor of the file in the holding
 * process drops it. So nothing in that process may open {@code RUN/lock} but this class (copying
 * or reading a locked run's lock file in the writer's JVM unlocks it; {@link #holder} knows).
 *
 * <pre>{@code
 * try (RunLock lock = RunLock.acquire(Path.of("runs/r"), "my-job")) {
 *     // write into runs/r
 * }
 * }</pre>
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name in the run directory. */
    public static final String FILE = "lock";

    /** How a job treats the run's lock. */
    public enum Mode {
        /** Take the lock for the job's whole life; refuse when another holds it or the file system cannot lock. */
        EXCLUSIVE,
        /**
         * The caller already holds this run's lock ({@link #acquire}, in this JVM) and keeps it across
         * several jobs, as the demo does for its training and its TWA; the job checks that and takes none.
         */
        HELD,
        /** Take no lock ({@code --no-lock}, for file systems without working locks): nothing keeps a second writer out. */
        NONE
    }

    /**
     * Who holds (or last held) a run's lock, as its lock file records.
     *
     * @param pid the process id, or -1 when the file records no holder (yet)
     * @param host the host name of that process
     * @param command what it runs ("twa4j twa --name same")
     * @param started when it took the lock
     */
    public record Holder(long pid, String host, String command, Instant started) {

        /** "`twa4j twa` (pid 1234 on host h, since 21:45:02)". */
        public String describe() {
            if (pid < 0) {
                return "another process (it has not recorded itself in the lock file yet)";
            }
            return "`" + command + "` (pid " + pid + " on host " + host + ", since " + since(started) + ")";
        }

        /** Whether this record can name a live holder: another host's process, or a live process here other than this one. */
        boolean plausible() {
            if (pid < 0) {
                return false;
            }
            if (!host.equals(localHost())) {
                return true;
            }
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        private static String since(Instant started) {
            ZonedDateTime at = started.atZone(ZoneId.systemDefault());
            String pattern = at.toLocalDate().equals(LocalDate.now()) ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss";
            return at.format(DateTimeFormatter.ofPattern(pattern));
        }

        static final Holder UNKNOWN = new Holder(-1, "", "", Instant.EPOCH);
    }

    /** How a lock is tried: {@link FileChannel#tryLock()}, or a stand-in for a file system that cannot lock (tests). */
    @FunctionalInterface
    interface Locker {
        /** The lock, or null when another process holds it. */
        FileLock tryLock(FileChannel channel) throws IOException;
    }

    /** How long a refused writer keeps trying while the record names no live holder (a reader's probe, a holder still writing its record). */
    private static final long RETRY_NANOS = 1_000_000_000L;

    /** The locks this JVM holds, by the real path of the lock file; also the monitor of every open of a lock file here. */
    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private static volatile String localHost;

    private final Path root;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final Holder holder;
    private boolean released;

    private RunLock(Path root, Path key, FileChannel channel, FileLock lock, Holder holder) {
        this.root = root;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /**
     * Takes the lock of the run at {@code root} (creating the directory and {@code RUN/lock} if
     * absent) and records this process as its holder, running {@code command}.
     *
     * @throws RunError (input) naming the holder if another process, or another job in this JVM,
     *     holds it; (input) if the file system cannot lock files ({@code --no-lock} then writes without)
     */
    public static RunLock acquire(Path root, String command) {
        return acquire(root, command, FileChannel::tryLock);
    }

    /**
     * The lock a job with {@code mode} holds on {@code root} for its life: {@link #acquire}d, or,
     * for {@link Mode#HELD} and {@link Mode#NONE}, a handle that holds nothing ({@code NONE} says so
     * on {@code console}).
     *
     * @throws IllegalStateException for {@code HELD} when this JVM does not hold the run's lock
     */
    public static RunLock take(Path root, String command, Mode mode, Console console) {
        return switch (mode) {
            case EXCLUSIVE -> acquire(root, command);
            case HELD -> {
                if (!heldHere(root)) {
                    throw new IllegalStateException("lock mode HELD, but this process does not hold the lock of run " + root);
                }
                yield new RunLock(root, null, null, null, null);
            }
            case NONE -> {
                console.out().println("note: writing run " + root + " without its lock (--no-lock): make sure no other command writes to it");
                yield new RunLock(root, null, null, null, null);
            }
        };
    }

    static RunLock acquire(Path root, String command, Locker locker) {
        Path file = root.resolve(FILE);
        Path key;
        try {
            Files.createDirectories(root);
            key = root.toRealPath().resolve(FILE);
        } catch (IOException e) {
            throw RunError.input("cannot prepare run directory " + root + ": " + IoMessages.reason(e));
        }
        synchronized (HELD) {
            RunLock mine = HELD.get(key);
            if (mine != null) {
                throw inUse(root, mine.holder);
            }
            long deadline = System.nanoTime() + RETRY_NANOS;
            while (true) {
                FileChannel channel = open(file);
                FileLock lock = tryLock(channel, locker, root);
                if (lock != null) {
                    RunLock held = new RunLock(root, key, channel, lock, record(channel, lock, new Holder(
                            ProcessHandle.current().pid(), localHost(), command, Instant.now()), file));
                    HELD.put(key, held);
                    return held;
                }
                Holder other = read(channel);
                closeQuietly(channel);
                if (other.plausible() || System.nanoTime() > deadline) {
                    throw inUse(root, other);
                }
                pause();
            }
        }
    }

    /**
     * The process that holds the lock of the run at {@code root} now, without taking it (for
     * readers: {@code verify}); empty when none does, when the run has no lock file, or when the
     * file system cannot tell.
     */
    public static Optional<Holder> holder(Path root) {
        Path file = root.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        synchronized (HELD) {
            try {
                RunLock mine = HELD.get(file.toRealPath());
                if (mine != null) {
                    return Optional.of(mine.holder); // never open a file this JVM locks: closing it would drop the lock
                }
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
                    if (probe != null) {
                        probe.release();
                        return Optional.empty();
                    }
                    return Optional.of(read(channel));
                }
            } catch (IOException | OverlappingFileLockException e) {
                return Optional.empty();
            }
        }
    }

    /** Whether this JVM holds the lock of the run at {@code root}. */
    public static boolean heldHere(Path root) {
        synchronized (HELD) {
            try {
                return HELD.containsKey(root.toRealPath().resolve(FILE));
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** The run directory. */
    public Path root() {
        return root;
    }

    /** Whether this handle holds the lock (false for the handles of {@link Mode#HELD} and {@link Mode#NONE}). */
    public boolean locks() {
        return key != null;
    }

    /** Releases the lock (the lock file stays); nothing for a handle that holds none. */
    @Override
    public void close() {
        if (key == null) {
            return;
        }
        synchronized (HELD) {
            if (released) {
                return;
            }
            released = true;
            HELD.remove(key);
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel below, or the process's end, drops it
            }
            closeQuietly(channel);
        }
    }

    private static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw RunError.input("cannot open the lock file " + file + ": " + IoMessages.reason(e));
        }
    }

    /** The lock, or null when another process holds it. */
    private static FileLock tryLock(FileChannel channel, Locker locker, Path root) {
        try {
            return locker.tryLock(channel);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw RunError.input("run " + root + " is in use by another lock in this process; wait for it to finish");
        } catch (IOException e) {
            closeQuietly(channel);
            throw RunError.input("cannot lock run " + root + ": its file system does not support file locks (" + IoMessages.reason(e)
                    + "); pass --no-lock to write without the lock, once you are sure no other command writes to this run");
        }
    }

    /** Writes {@code holder} into the locked file (new record first, then cut to its length). */
    private static Holder record(FileChannel channel, FileLock lock, Holder holder, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pid", holder.pid());
        json.put("host", holder.host());
        json.put("command", holder.command());
        json.put("started", holder.started().toString());
        try {
            ByteBuffer bytes = ByteBuffer.wrap((Json.COMPACT.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8));
            int length = bytes.remaining();
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
            channel.truncate(length);
            channel.force(false);
            return holder;
        } catch (IOException e) {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel drops it
            }
            closeQuietly(channel);
            throw RunError.input("cannot write the lock file " + file + ": " + IoMessages.reason(e));
        }
    }

    /** The holder the file names, or {@link Holder#UNKNOWN} when it names none readable. */
    private static Holder read(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // read on
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            JsonNode node = Json.TREE.readTree(end < 0 ? text : text.substring(0, end));
            if (node == null || !node.path("pid").canConvertToLong() || !node.path("command").isTextual()) {
                return Holder.UNKNOWN;
            }
            return new Holder(node.get("pid").asLong(), node.path("host").asText(), node.get("command").asText(),
                    Instant.parse(node.path("started").asText()));
        } catch (IOException | RuntimeException e) {
            return Holder.UNKNOWN;
        }
    }

    private static RunError inUse(Path root, Holder holder) {
        return RunError.input("run " + root + " is in use by " + holder.describe() + "; wait for it to finish");
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RunError.input("interrupted while waiting for a run's lock");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through it
        }
    }

    /** This machine's name: the kernel's, else the resolver's, else "unknown". */
    static String localHost() {
        String name = localHost;
        if (name == null) {
            try {
                name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                name = "";
            }
            if (name.isEmpty()) {
                try {
                    name = InetAddress.getLocalHost().getHostName();
                } catch (IOException e) {
                    name = "unknown";
                }
            }
            localHost = name;
        }
        return name;
    }
}
