package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.From;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Headers built from random, mostly plausible tensor descriptions: the reader accepts a file if and
 * only if an independent, deliberately naive oracle says the layout is valid.
 */
class SafeTensorsLayoutProperties {

    private static final Map<String, Integer> WIDTH = Map.of(
            "F32", 4, "F16", 2, "BF16", 2, "I32", 4, "I64", 8, "F64", 8, "U8", 1);
    private static final Set<String> READABLE = Set.of("F32", "F16", "BF16", "I32", "I64", "F64");

    /** One tensor description; offsets either follow the previous tensor or are given. */
    record Spec(String name, String dtype, List<Integer> shape, boolean givenOffsets, int begin, int end) {}

    /** The same with its offsets settled. */
    record Placed(String name, String dtype, List<Integer> shape, long begin, long end) {}

    private static DamagedFiles files;

    @BeforeContainer
    static void setUp() {
        files = new DamagedFiles();
    }

    @AfterContainer
    static void tearDown() {
        files.close();
    }

    @Provide
    Arbitrary<Spec> spec() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "c", "d", "e");
        Arbitrary<String> dtypes = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.of("F32", "F16", "BF16", "I32", "I64", "F64")),
                Tuple.of(1, Arbitraries.of("U8", "X9")));
        Arbitrary<List<Integer>> shapes = Arbitraries.frequencyOf(
                        Tuple.of(30, Arbitraries.integers().between(0, 3)),
                        Tuple.of(1, Arbitraries.just(-1)))
                .list().ofMaxSize(3);
        Arbitrary<Boolean> given = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(false)), Tuple.of(1, Arbitraries.just(true)));
        Arbitrary<Integer> offsets = Arbitraries.integers().between(0, 40);
        return Combinators.combine(names, dtypes, shapes, given, offsets, offsets).as(Spec::new);
    }

    @Property(tries = 500)
    void readerAcceptsExactlyTheLayoutsTheOracleAccepts(
            @ForAll @Size(max = 4) List<@From("spec") Spec> specs,
            @ForAll boolean exactDataLength,
            @ForAll @IntRange(max = 64) int otherDataLength,
            @ForAll boolean reverseJson) {
        List<Placed> placed = place(specs);
        long needed = placed.stream().mapToLong(Placed::end).max().orElse(0);
        int dataLength = exactDataLength ? (int) needed : otherDataLength;
        List<Placed> jsonOrder = new ArrayList<>(placed);
        if (reverseJson) {
            Collections.reverse(jsonOrder);
        }
        String json = jsonOrder.stream()
                .map(p -> "\"" + p.name() + "\":{\"dtype\":\"" + p.dtype() + "\",\"shape\":" + p.shape().toString()
                        .replace(" ", "") + ",\"data_offsets\":[" + p.begin() + "," + p.end() + "]}")
                .collect(Collectors.joining(",", "{", "}"));
        byte[] data = new byte[dataLength];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 37);
        }
        byte[] file = SafeTensorsBytes.file(json, data);
        DamagedFiles.Outcome o = files.read(file);

        List<Placed> expectedOrder = oracle(jsonOrder, dataLength);
        Statistics.label("verdict").collect(expectedOrder == null ? "refused" : "accepted");
        Statistics.label("verdict").coverage(c -> {
            c.check("accepted").percentage(p -> p > 15);
            c.check("refused").percentage(p -> p > 15);
        });
        if (expectedOrder == null) {
            assertThat(o.error()).as("oracle refuses %s with %d data bytes", json, dataLength).isNotNull();
        } else {
            assertThat(o.error()).as("oracle accepts %s with %d data bytes", json, dataLength).isNull();
            assertThat(o.tensors().keySet()).containsExactlyElementsOf(
                    expectedOrder.stream().map(Placed::name).toList());
            for (Placed p : expectedOrder) {
                long elements = p.shape().stream().mapToLong(Integer::longValue).reduce(1, (x, y) -> x * y);
                assertThat(o.tensors().get(p.name())).hasSize((int) elements);
            }
        }
    }

    private static List<Placed> place(List<Spec> specs) {
        List<Placed> out = new ArrayList<>();
        long at = 0;
        for (Spec s : specs) {
            long elements = s.shape().stream().mapToLong(Integer::longValue).reduce(1, (x, y) -> x * y);
            long size = Math.max(0, elements) * WIDTH.getOrDefault(s.dtype(), 4);
            long begin = s.givenOffsets() ? s.begin() : at;
            long end = s.givenOffsets() ? s.end() : at + size;
            out.add(new Placed(s.name(), s.dtype(), s.shape(), begin, end));
            at = Math.max(at, end);
        }
        return out;
    }

    /** The tensors in data order if the file is valid and readable, else {@code null}. */
    private static List<Placed> oracle(List<Placed> jsonOrder, long dataLength) {
        Set<String> names = new HashSet<>();
        for (Placed p : jsonOrder) {
            if (!names.add(p.name()) || !READABLE.contains(p.dtype())) {
                return null;
            }
            long elements = 1;
            for (int d : p.shape()) {
                if (d < 0) {
                    return null;
                }
                elements *= d;
            }
            if (p.end() < p.begin() || p.end() - p.begin() != elements * WIDTH.get(p.dtype())) {
                return null;
            }
        }
        List<Placed> sorted = new ArrayList<>(jsonOrder);
        sorted.sort(Comparator.comparingLong(Placed::begin).thenComparingLong(Placed::end));
        long at = 0;
        for (Placed p : sorted) {
            if (p.begin() != at) {
                return null;
            }
            at = p.end();
        }
        return at == dataLength ? sorted : null;
    }

}
