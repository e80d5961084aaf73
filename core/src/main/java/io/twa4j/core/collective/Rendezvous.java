package io.twa4j.core.collective;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tracker that the ranks of a {@link TcpCollective} meet at, run by the process that launches
 * them (a Spark driver, a parent process). Each rank connects and sends {@code (rank, world size,
 * its listening host:port)}; once all {@code worldSize} ranks have registered, each gets the
 * addresses of all, by rank, with the round's number, and a new round begins. So the same tracker
 * serves a stage that is retried whole: a rank that registers again in a round (a retried task)
 * replaces its older registration, which is refused; a rank that gives up (closes) leaves the
 * round. The round number, and this tracker's random id, go into the hello between ring
 * neighbours, so ranks of different rounds never connect to each other.
 *
 * <p>A registration with a rank outside {@code [0, worldSize)} or another world size is refused
 * with a message saying so; one that waits longer than the timeout for its round is refused too.
 */
public final class Rendezvous implements AutoCloseable {

    /**
     * What a rank learns from a full round.
     *
     * @param tracker the random id of the tracker
     * @param number the round's number at that tracker, from 1
     * @param addresses every rank's listening address, by rank
     */
    record Round(long tracker, long number, List<InetSocketAddress> addresses) {}

    private record Registration(int rank, InetSocketAddress address, Socket socket) {}

    /** What registering did: the registration it replaced, and the round it completed. */
    private record Outcome(Registration replaced, List<Registration> full, long round) {}

    private static final System.Logger LOG = System.getLogger(Rendezvous.class.getName());
    private static final int MAGIC = 0x34415754;
    private static final int ACCEPTED = 1;
    private static final int REFUSED = 2;

    private final ServerSocket server;
    private final int worldSize;
    private final Duration timeout;
    private final long tracker = new SecureRandom().nextLong();
    private final ExecutorService connections;
    private final Registration[] registered;
    private long round = 1;
    private volatile boolean closed;

    private Rendezvous(ServerSocket server, int worldSize, Duration timeout) {
        this.server = server;
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.registered = new Registration[worldSize];
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(task -> daemon(task, "twa4j-rendezvous-" + count.incrementAndGet()));
    }

    /**
     * A tracker for worlds of {@code worldSize} ranks, listening on {@code bindHost} at a free port.
     *
     * @param bindHost an address of this machine that the ranks can reach
     * @param timeout how long a registration waits for the rest of its round, and for its bytes
     * @throws UncheckedIOException when it cannot listen there
     */
    public static Rendezvous start(String bindHost, int worldSize, Duration timeout) {
        Objects.requireNonNull(bindHost, "bindHost");
        if (worldSize < 1) {
            throw new IllegalArgumentException("a world needs at least one rank, got " + worldSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
        }
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(bindHost, 0), Math.max(50, worldSize));
        } catch (IOException e) {
            throw new UncheckedIOException("the rendezvous cannot listen on " + bindHost + ": " + e.getMessage(), e);
        }
        Rendezvous rendezvous = new Rendezvous(server, worldSize, timeout);
        daemon(rendezvous::acceptLoop, "twa4j-rendezvous-accept").start();
        return rendezvous;
    }

    /** Where ranks register: the bound address and port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Stops listening and drops the registrations of the round under way. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        connections.shutdownNow();
        synchronized (this) {
            for (Registration registration : registered) {
                if (registration != null) {
                    closeQuietly(registration.socket());
                }
            }
            Arrays.fill(registered, null);
        }
    }

    /** The number of ranks registered in the round under way. */
    synchronized int registeredCount() {
        return (int) Arrays.stream(registered).filter(Objects::nonNull).count();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private void acceptLoop() {
        while (!closed && !server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.execute(() -> serve(socket));
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "the rendezvous could not accept a rank: " + e.getMessage());
                }
            }
        }
    }

    /** One rank's connection: its registration, then a watch until its round is full or it leaves. */
    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Registration registration = readRegistration(socket, in);
            if (registration == null) {
                return;
            }
            Outcome outcome = register(registration);
            if (outcome.replaced() != null) {
                refuse(outcome.replaced().socket(), "rank " + registration.rank() + " registered again (a retried task),"
                        + " which replaces this registration");
            }
            if (outcome.full() != null) {
                answer(outcome.full(), outcome.round());
            } else {
                watch(registration, in);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
        }
    }

    /** The registration {@code in} holds, or null when it was refused (the rank is told why). */
    private Registration readRegistration(Socket socket, DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            refuse(socket, "this is a twa4j rendezvous; that was not a registration");
            return null;
        }
        int rank = in.readInt();
        int size = in.readInt();
        String host = in.readUTF();
        int port = in.readInt();
        if (size != worldSize) {
            refuse(socket, "this rendezvous is for a world of " + worldSize + " ranks; rank " + rank
                    + " registered for a world of " + size);
        } else if (rank < 0 || rank >= worldSize) {
            refuse(socket, "rank " + rank + " is not in [0, " + worldSize + ")");
        } else if (host.isBlank() || port < 1 || port > 65535) {
            refuse(socket, "rank " + rank + " gave no address to reach it at (" + host + ":" + port + ")");
        } else {
            return new Registration(rank, InetSocketAddress.createUnresolved(host, port), socket);
        }
        return null;
    }

    private synchronized Outcome register(Registration registration) {
        Registration replaced = registered[registration.rank()];
        registered[registration.rank()] = registration;
        if (Arrays.stream(registered).anyMatch(Objects::isNull)) {
            return new Outcome(replaced, null, 0);
        }
        List<Registration> full = List.of(registered);
        Arrays.fill(registered, null);
        return new Outcome(replaced, full, round++);
    }

    /** Waits for the rank to leave (or time out) while its round fills; the round's answer closes the socket. */
    private void watch(Registration registration, DataInputStream in) {
        String why;
        try {
            in.read();
            why = null;
        } catch (SocketTimeoutException e) {
            why = "no full round within " + timeout.toMillis() + " ms";
        } catch (IOException e) {
            return; // answered and closed, or the rank is gone
        }
        String waiting;
        synchronized (this) {
            if (registered[registration.rank()] != registration) {
                return;
            }
            registered[registration.rank()] = null;
            waiting = registeredRanks();
        }
        if (why == null) {
            closeQuietly(registration.socket());
        } else {
            refuse(registration.socket(), why + " (registered: ranks " + waiting + " of " + worldSize
                    + ", and rank " + registration.rank() + ")");
        }
    }

    private String registeredRanks() {
        List<Integer> ranks = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            if (registered[r] != null) {
                ranks.add(r);
            }
        }
        return ranks.toString();
    }

    private void answer(List<Registration> full, long number) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ACCEPTED);
            out.writeLong(tracker);
            out.writeLong(number);
            out.writeInt(full.size());
            for (Registration registration : full) {
                out.writeUTF(registration.address().getHostString());
                out.writeInt(registration.address().getPort());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Registration registration : full) {
            try {
                registration.socket().getOutputStream().write(bytes.toByteArray());
            } catch (IOException e) {
                // that rank is gone; its neighbours will find it missing
            } finally {
                closeQuietly(registration.socket());
            }
        }
    }

    private static void refuse(Socket socket, String why) {
        try {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            out.writeByte(REFUSED);
            out.writeUTF(why);
            out.flush();
        } catch (IOException e) {
            // the rank is gone already
        } finally {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing: nothing is left to do with it
        }
    }

    /**
     * Registers {@code rank} of a world of {@code size} at the tracker {@code rendezvous}, saying
     * that it listens at {@code self}, and waits for its round.
     *
     * @throws CollectiveException when the tracker cannot be reached, refuses, or no round is full in time
     */
    static Round register(InetSocketAddress rendezvous, int rank, int size, InetSocketAddress self, Duration timeout) {
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.connect(rendezvous, millis);
            socket.setSoTimeout(millis);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            out.writeInt(MAGIC);
            out.writeInt(rank);
            out.writeInt(size);
            out.writeUTF(self.getHostString());
            out.writeInt(self.getPort());
            out.flush();
            return readRound(new DataInputStream(socket.getInputStream()), rendezvous, rank, size);
        } catch (SocketTimeoutException e) {
            throw new CollectiveException(-1, "rank " + rank + " waited " + millis + " ms at the rendezvous " + rendezvous
                    + " for the other ranks of a world of " + size, e);
        } catch (EOFException e) {
            throw new CollectiveException(-1, "the rendezvous " + rendezvous + " closed the connection of rank " + rank
                    + " (it was closed, or is not a twa4j rendezvous)", e);
        } catch (IOException e) {
            throw new CollectiveException(-1, "rank " + rank + " could not register at the rendezvous " + rendezvous
                    + ": " + e.getMessage(), e);
        }
    }

    private static Round readRound(DataInputStream in, InetSocketAddress rendezvous, int rank, int size) throws IOException {
        int status = in.readUnsignedByte();
        if (status == REFUSED) {
            throw new CollectiveException(-1, "the rendezvous " + rendezvous + " refused rank " + rank + ": " + in.readUTF());
        }
        if (status != ACCEPTED) {
            throw new CollectiveException(-1, "the rendezvous " + rendezvous + " answered rank " + rank
                    + " with something that is not a round (status " + status + ")");
        }
        long tracker = in.readLong();
        long number = in.readLong();
        int count = in.readInt();
        if (count != size) {
            throw new CollectiveException(-1, "the rendezvous " + rendezvous + " answered rank " + rank + " with "
                    + count + " addresses for a world of " + size);
        }
        List<InetSocketAddress> addresses = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            String host = in.readUTF();
            addresses.add(new InetSocketAddress(host, in.readInt()));
        }
        return new Round(tracker, number, List.copyOf(addresses));
    }
}
