package io.twa4j.core.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Assertions;

/**
 * Random state_dicts written by {@link PickleWriter} read back exactly; damaged files (truncated,
 * a byte flipped, random pickles) either read or are refused with a {@link TorchFileException},
 * never another exception, never a hang (10 s per read), never a large allocation.
 */
class TorchFilesProperties {

    /**
     * The most a read of a small (under 10 KB) damaged file may allocate on the heap. Measured: at
     * most 0.92 MB over every flip of every bit and of whole bytes of two fixtures, the most when the
     * entry count of the zip's end record is damaged (ZipFile's own tables); a few 100 KB otherwise.
     */
    private static final long MAX_ALLOCATION = 2L << 20;

    /** One random tensor: a view with {@code stride} (null: contiguous) at {@code offset} of its own storage. */
    record Spec(String name, TorchDtype dtype, long[] shape, long[] stride, int offset, int spare, long seed,
            boolean twin) {}

    private static Path dir;
    private static List<byte[]> valid;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("twa4j-torch");
        valid = List.of(Files.readAllBytes(TorchFilesTest.fixture("tiny_model.pt")),
                Files.readAllBytes(TorchFilesTest.fixture("checkpoint.pt")),
                Files.readAllBytes(TorchFilesTest.fixture("tiny_model_p4.pt")));
        for (String name : List.of("tiny_model.pt", "checkpoint.pt", "tiny_model_p4.pt")) {
            TorchFiles.readStateDict(TorchFilesTest.fixture(name)); // loads the classes a read uses, which allocates
        }
    }

    @AfterContainer
    static void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    @Provide
    Arbitrary<List<Spec>> stateDicts() {
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 4).array(long[].class).ofMaxSize(4);
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('.', '_', '\u00e9', '\u4e2d')
                .ofMaxLength(300).edgeCases(e -> e.add(""));
        Arbitrary<Spec> spec = Combinators.combine(names, Arbitraries.of(TorchDtype.class), shapes,
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3),
                Arbitraries.longs(), Arbitraries.of(true, false), Arbitraries.integers().between(0, 2))
                .as((name, dtype, shape, offset, spare, seed, twin, layout) -> new Spec(name, dtype, shape,
                        layout == 0 ? null : randomStrides(shape.length, seed), offset, spare, seed, twin));
        return spec.list().ofMaxSize(6).uniqueElements(Spec::name);
    }

    @Provide
    Arbitrary<String> folders() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_', '0').ofMinLength(1).ofMaxLength(12);
    }

    @Property(tries = 150)
    void randomStateDictsReadBackExactly(@ForAll("stateDicts") List<Spec> specs, @ForAll boolean ordered,
            @ForAll boolean protocol4, @ForAll boolean checkpoint, @ForAll("folders") String root) {
        Map<String, PickleWriter.TensorRef> refs = new LinkedHashMap<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (Spec s : specs) {
            add(s, refs, storages, expected);
        }
        PickleWriter w = new PickleWriter(protocol4);
        if (checkpoint) {
            w.op(Opcodes.EMPTY_DICT).op(Opcodes.MARK).string("epoch").integer(1L << 40).string("state_dict");
        }
        w.stateDict(refs, ordered);
        if (checkpoint) {
            w.op(Opcodes.SETITEMS);
        }
        Path file = PickleWriter.write(dir.resolve("random.pt"), PickleWriter.zip(root, w.stop(), storages));
        TorchStateDict sd = TorchFiles.readStateDict(file);
        assertThat(sd.tensors().keySet()).containsExactlyElementsOf(refs.keySet());
        assertThat(sd.extras()).isEqualTo(checkpoint ? Map.of("epoch", 1L << 40) : Map.of());
        refs.forEach((name, ref) -> {
            TorchTensor t = sd.tensors().get(name);
            assertThat(t.dtype()).isEqualTo(ref.dtype());
            assertThat(t.shape()).containsExactly(ref.shape());
            assertThat(bytes(t.data())).as(name).containsExactly(expected.get(name));
        });
    }

    @Property(tries = 200)
    void everyTruncationIsRefused(@ForAll @IntRange(max = 2) int which, @ForAll @IntRange(max = 100_000) int cut) {
        byte[] file = valid.get(which);
        Outcome o = read(Arrays.copyOf(file, cut % file.length));
        assertThat(o.error()).as("cut to %d of %d bytes", cut % file.length, file.length).isNotNull();
    }

    @Property(tries = 600)
    void aFlippedByteReadsOrIsRefused(@ForAll @IntRange(max = 2) int which, @ForAll @IntRange(max = 100_000) int at,
            @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] file = valid.get(which).clone();
        file[at % file.length] ^= (byte) mask;
        read(file); // either outcome; read() fails on anything else
    }

    @Provide
    Arbitrary<byte[]> pickles() {
        Arbitrary<Integer> opcodes = Arbitraries.of(Opcodes.MARK, Opcodes.EMPTY_DICT, Opcodes.EMPTY_LIST,
                Opcodes.EMPTY_TUPLE, Opcodes.TUPLE, Opcodes.TUPLE2, Opcodes.APPENDS, Opcodes.SETITEMS, Opcodes.BINPUT,
                Opcodes.BINGET, Opcodes.MEMOIZE, Opcodes.BININT1, Opcodes.NONE, Opcodes.REDUCE, Opcodes.BUILD,
                Opcodes.BINPERSID, Opcodes.POP_MARK, Opcodes.DUP, Opcodes.SHORT_BINUNICODE, Opcodes.LONG4,
                Opcodes.BINUNICODE8, Opcodes.FRAME, Opcodes.STACK_GLOBAL, Opcodes.GLOBAL, Opcodes.STOP);
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 255);
        return Arbitraries.frequencyOf(Tuple.of(3, opcodes), Tuple.of(1, any)).list().ofMaxSize(80)
                .map(ops -> {
                    byte[] b = new byte[ops.size() + 2];
                    b[0] = (byte) Opcodes.PROTO;
                    b[1] = 2;
                    for (int i = 0; i < ops.size(); i++) {
                        b[i + 2] = (byte) (int) ops.get(i);
                    }
                    return b;
                });
    }

    @Property(tries = 1000)
    void randomPicklesNeverEscapeAsAnotherException(@ForAll("pickles") byte[] pickle) {
        Unpickler.PersistentLoad none = pid -> {
            throw new Refusal("no storages here");
        };
        Outcome o = measured(() -> new Unpickler("p", pickle, none).load());
        if (o.error() != null) {
            assertThat(o.error().getMessage()).startsWith("p byte ").doesNotContain("\n");
        }
    }

    /** What reading a file gave: the value read, or the refusal. */
    record Outcome(Object value, TorchFileException error) {}

    /** Reads {@code bytes} as a .pt file; fails on another exception, a hang, or a large allocation. */
    private static Outcome read(byte[] bytes) {
        Path file = PickleWriter.write(dir.resolve("damaged.pt"), bytes);
        Outcome o = measured(() -> TorchFiles.readStateDict(file));
        if (o.error() != null) {
            assertThat(o.error().getMessage()).startsWith(file + ": ").doesNotContain("\n");
        }
        return o;
    }

    /**
     * Runs {@code read} in a thread of its own, for at most 10 s, and measures what it allocates
     * (on the heap); fails on an exception other than {@link TorchFileException} or more than {@link
     * #MAX_ALLOCATION} bytes.
     */
    private static Outcome measured(Supplier<Object> read) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] allocated = new long[1];
        Outcome o = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            long before = mx.getCurrentThreadAllocatedBytes();
            Outcome out;
            try {
                out = new Outcome(read.get(), null);
            } catch (TorchFileException e) {
                out = new Outcome(null, e);
            } catch (RuntimeException e) {
                out = new Outcome(e, null);
            }
            allocated[0] = mx.getCurrentThreadAllocatedBytes() - before;
            return out;
        });
        if (o.value() instanceof RuntimeException e) {
            fail("expected a TorchFileException or success, got " + e, e);
        }
        assertThat(allocated[0]).as("bytes allocated by one read").isLessThan(MAX_ALLOCATION);
        return o;
    }

    /** Adds {@code s} (and its twin, a 1-D view of its whole storage) with its storage and its expected bytes. */
    private static void add(Spec s, Map<String, PickleWriter.TensorRef> refs, Map<String, byte[]> storages,
            Map<String, byte[]> expected) {
        long[] stride = s.stride() != null ? s.stride() : contiguous(s.shape());
        long numel = TorchTensor.numel(s.shape());
        long last = s.offset();
        for (int d = 0; d < s.shape().length; d++) {
            last += numel == 0 ? 0 : (s.shape()[d] - 1) * stride[d];
        }
        int storageNumel = (int) (numel == 0 ? s.offset() : last + 1) + s.spare();
        byte[] storage = new byte[storageNumel * s.dtype().bytes()];
        new Random(s.seed()).nextBytes(storage);
        String key = Integer.toString(storages.size());
        storages.put(key, storage);
        refs.put(s.name(), new PickleWriter.TensorRef(key, s.dtype(), storageNumel, s.offset(), s.shape(), stride));
        expected.put(s.name(), gatherByRecursion(storage, s.dtype().bytes(), s.offset(), s.shape(), stride));
        if (s.twin()) {
            String twin = s.name() + "#twin";
            refs.put(twin, new PickleWriter.TensorRef(key, s.dtype(), storageNumel, 0, new long[] {storageNumel},
                    new long[] {1}));
            expected.put(twin, storage);
        }
    }

    /** The elements in row-major order, by recursion over the dimensions (unlike the reader's odometer). */
    private static byte[] gatherByRecursion(byte[] storage, int width, long offset, long[] shape, long[] stride) {
        ByteBuffer out = ByteBuffer.allocate((int) TorchTensor.numel(shape) * width);
        gather(storage, width, offset, shape, stride, 0, out);
        return out.array();
    }

    private static void gather(byte[] storage, int width, long at, long[] shape, long[] stride, int dim,
            ByteBuffer out) {
        if (dim == shape.length) {
            out.put(storage, (int) at * width, width);
            return;
        }
        for (long i = 0; i < shape[dim]; i++) {
            gather(storage, width, at + i * stride[dim], shape, stride, dim + 1, out);
        }
    }

    private static long[] contiguous(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }

    private static long[] randomStrides(int dims, long seed) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        long[] stride = new long[dims];
        for (int d = 0; d < dims; d++) {
            stride[d] = r.nextInt(6); // 0 (expanded), overlapping, permuted or stepped layouts
        }
        return stride;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

}
