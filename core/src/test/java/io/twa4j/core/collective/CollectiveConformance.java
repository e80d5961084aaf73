package io.twa4j.core.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Collective} contract, run against every implementation: each subclass says how to
 * make a group, and every test runs the ranks of a group on one thread each.
 *
 * <p>The sums are checked against the float64 sum {@code s = Σ_r x_r} with the tolerance {@code
 * (size − 1)·u·Σ_r|x_r|·(1 + 10⁻⁶) + (size − 1)·2⁻¹⁴⁹}, {@code u = 2⁻²⁴}: adding {@code size}
 * floats takes {@code size − 1} additions in float32, each rounding its result, whose magnitude is
 * at most {@code Σ|x|}, by at most {@code u} relative (Higham's γ_{size−1}, which the factor
 * {@code 1 + 10⁻⁶} covers for the sizes here), or by half the smallest subnormal near zero; an
 * implementation that sums in float64 and rounds once is within {@code u·|s|} of it. A world of
 * one must return its input exactly.
 */
@Timeout(60)
abstract class CollectiveConformance {

    /** A timeout that a test which should not time out never reaches. */
    static final Duration LONG = Duration.ofSeconds(20);

    /** The timeout of the tests where a rank does not call. */
    static final Duration SHORT = Duration.ofMillis(500);

    private static final long RANK_LIMIT_SECONDS = 45;

    /** What one rank's part of a test did: its value, or its failure. */
    record Outcome<T>(int rank, T value, Throwable failure) {

        T get() {
            if (failure != null) {
                throw new AssertionError("rank " + rank + " failed: " + failure, failure);
            }
            return value;
        }

        CollectiveException collectiveFailure() {
            assertThat(failure).as("rank %d's outcome", rank).isInstanceOf(CollectiveException.class);
            return (CollectiveException) failure;
        }
    }

    /** One rank's part of a test. */
    interface RankTask<T> {
        T run(Collective member) throws Exception;
    }

    private final List<Collective> opened = new ArrayList<>();

    /** The {@code size} members of a new group, by rank, whose calls wait at most {@code timeout}. */
    protected abstract List<Collective> group(int size, Duration timeout);

    /** A new group that is closed after the test. */
    final List<Collective> world(int size, Duration timeout) {
        List<Collective> members = group(size, timeout);
        opened.addAll(members);
        assertThat(members).extracting(Collective::rank).containsExactlyElementsOf(IntStream.range(0, size).boxed().toList());
        assertThat(members).allSatisfy(member -> assertThat(member.size()).isEqualTo(size));
        return members;
    }

    @AfterEach
    void closeTheGroups() {
        opened.forEach(Collective::close);
        opened.clear();
    }

    /** Runs {@code task} for every member at once, one thread per rank; what each did, by rank. */
    static <T> List<Outcome<T>> onEveryRank(List<Collective> members, RankTask<T> task) {
        ExecutorService threads = Executors.newFixedThreadPool(members.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Collective member : members) {
                futures.add(threads.submit(() -> task.run(member)));
            }
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (int r = 0; r < futures.size(); r++) {
                outcomes.add(outcome(members.get(r).rank(), futures.get(r)));
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }

    static <T> Outcome<T> outcome(int rank, Future<T> future) {
        try {
            return new Outcome<>(rank, future.get(RANK_LIMIT_SECONDS, TimeUnit.SECONDS), null);
        } catch (ExecutionException e) {
            return new Outcome<>(rank, null, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("rank " + rank + " hung for " + RANK_LIMIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Inputs of mixed signs and magnitudes (10⁻³ to 10³), by rank. */
    static float[][] randomInputs(int size, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] scales = {1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};
        float[][] inputs = new float[size][length];
        for (float[] input : inputs) {
            for (int i = 0; i < length; i++) {
                input[i] = (float) (random.nextGaussian() * scales[random.nextInt(scales.length)]);
            }
        }
        return inputs;
    }

    /** The bound on a float32 sum's distance from the exact sum (see the class comment). */
    static double tolerance(int size, double sumOfMagnitudes) {
        return (size - 1) * (0x1p-24 * sumOfMagnitudes * (1 + 1e-6) + 0x1p-149);
    }

    /** Every rank's allReduceSum of its input. */
    static List<float[]> allReduced(List<Collective> members, float[][] inputs) {
        return onEveryRank(members, member -> {
            float[] data = inputs[member.rank()].clone();
            member.allReduceSum(data);
            return data;
        }).stream().map(Outcome::get).toList();
    }

    /** Checks {@code results} against the float64 sums of {@code inputs}: within tolerance, the same bits on every rank. */
    static void assertSums(float[][] inputs, List<float[]> results) {
        int size = inputs.length;
        for (int r = 1; r < size; r++) {
            int differ = Arrays.mismatch(results.get(r), results.get(0));
            assertThat(differ).as("first element where rank %d's bits differ from rank 0's", r).isEqualTo(-1);
        }
        float[] sum = results.get(0);
        assertThat(sum).hasSameSizeAs(inputs[0]);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < sum.length; i++) {
            double exact = 0;
            double magnitude = 0;
            for (float[] input : inputs) {
                exact += input[i];
                magnitude += Math.abs(input[i]);
            }
            double excess = Math.abs(sum[i] - exact) - tolerance(size, magnitude);
            if (excess > worstExcess || (size == 1 && Float.floatToRawIntBits(sum[i]) != Float.floatToRawIntBits(inputs[0][i]))) {
                worst = i;
                worstExcess = Math.max(excess, worstExcess);
            }
        }
        assertThat(worst).as("an element whose sum is off by more than the rounding bound (excess %s)", worstExcess)
                .isEqualTo(-1);
    }

    static Stream<Arguments> sizesAndLengths() {
        return IntStream.rangeClosed(1, 4).boxed()
                .flatMap(size -> IntStream.of(0, 1, 7, 1009).mapToObj(length -> Arguments.of(size, length)));
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats")
    @MethodSource("sizesAndLengths")
    void allReduceSumIsTheFloat64SumWithinRoundingWithTheSameBitsOnEveryRank(int size, int length) {
        float[][] inputs = randomInputs(size, length, 31L * size + length);
        assertSums(inputs, allReduced(world(size, LONG), inputs));
    }

    @Test
    void allReduceSumOfMillionsOfFloats() {
        float[][] inputs = randomInputs(3, 2_500_003, 7);
        assertSums(inputs, allReduced(world(3, LONG), inputs));
    }

    /** A world of 1 to 4 ranks with random inputs of a random length, edge values included. */
    @Provide
    Arbitrary<float[][]> inputs() {
        Arbitrary<Float> values = Arbitraries.oneOf(
                Arbitraries.floats().between(-1e4f, 1e4f),
                Arbitraries.floats().between(-1f, 1f).map(tiny -> tiny * 1e-30f),
                Arbitraries.of(0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 1e30f, -1e30f));
        return Arbitraries.integers().between(1, 4).flatMap(size -> Arbitraries.integers().between(0, 64)
                .flatMap(length -> values.array(float[].class).ofSize(length).array(float[][].class).ofSize(size)));
    }

    @Property(tries = 40)
    void anyInputsSumWithinRoundingWithTheSameBitsOnEveryRank(@ForAll("inputs") float[][] inputs) {
        try {
            assertSums(inputs, allReduced(world(inputs.length, LONG), inputs));
        } finally {
            closeTheGroups();
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("sizes")
    void broadcastGivesEveryRankTheRootsBitsFromEveryRoot(int size) {
        List<Collective> members = world(size, LONG);
        for (int root = 0; root < size; root++) {
            float[][] inputs = randomInputs(size, 11, root);
            inputs[root] = new float[] {1.5f, -0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -Float.MAX_VALUE, 3e-39f, 42f, -7.25f};
            int from = root;
            List<float[]> results = onEveryRank(members, member -> {
                float[] data = inputs[member.rank()].clone();
                member.broadcast(data, from);
                return data;
            }).stream().map(Outcome::get).toList();
            for (int r = 0; r < size; r++) {
                assertThat(rawBits(results.get(r))).as("rank %d after a broadcast from rank %d", r, root)
                        .containsExactly(rawBits(inputs[root]));
            }
        }
    }

    static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    static Stream<Integer> sizes() {
        return Stream.of(1, 2, 3, 4);
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("sizes")
    void broadcastRefusesARootOutsideTheWorld(int size) {
        Collective member = world(size, LONG).get(0);
        assertThatThrownBy(() -> member.broadcast(new float[3], size)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("root " + size);
        assertThatThrownBy(() -> member.broadcast(new float[3], -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("sizes")
    void barrierReturnsOnlyOnceEveryRankHasArrived(int size) {
        List<Collective> members = world(size, LONG);
        AtomicInteger[] arrived = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        List<List<Integer>> seen = onEveryRank(members, member -> {
            List<Integer> counts = new ArrayList<>();
            for (AtomicInteger round : arrived) {
                round.incrementAndGet();
                member.barrier();
                counts.add(round.get());
            }
            return counts;
        }).stream().map(Outcome::get).toList();
        assertThat(seen).allSatisfy(counts -> assertThat(counts).containsOnly(size));
    }

    @Test
    void manyCallsInARowKeepInStep() {
        List<Collective> members = world(3, LONG);
        List<Integer> checked = onEveryRank(members, member -> {
            int count = 0;
            for (int call = 0; call < 150; call++) {
                count += checkedCall(member, call);
            }
            return count;
        }).stream().map(Outcome::get).toList();
        assertThat(checked).containsOnly(150);
    }

    /** Call number {@code call} of a mixed sequence, with exact expected results; 1 when right. */
    private static int checkedCall(Collective member, int call) {
        int length = call % 17;
        float[] data = new float[length];
        switch (call % 3) {
            case 0 -> {
                fill(data, i -> (member.rank() + 1) * (call + i));
                member.allReduceSum(data);
                assertThat(data).as("call %d", call).containsExactly(exactSums(length, call));
            }
            case 1 -> {
                int root = call % member.size();
                fill(data, i -> member.rank() == root ? 1000 * root + i + call : -1);
                member.broadcast(data, root);
                float[] expected = new float[length];
                fill(expected, i -> 1000 * root + i + call);
                assertThat(data).as("call %d", call).containsExactly(expected);
            }
            default -> member.barrier();
        }
        return 1;
    }

    private static void fill(float[] data, java.util.function.IntUnaryOperator value) {
        for (int i = 0; i < data.length; i++) {
            data[i] = value.applyAsInt(i);
        }
    }

    private static float[] exactSums(int length, int call) {
        float[] sums = new float[length];
        fill(sums, i -> 6 * (call + i)); // ranks 1 + 2 + 3 times (call + i), small integers: exact
        return sums;
    }

    @Test
    void aSecondCallOnARankWhileOneIsRunningIsRefusedAndTheFirstCompletes() throws Exception {
        List<Collective> members = world(2, LONG);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            float[] first = {1, 2, 3};
            float[] second = {4, 5, 6};
            CompletableFuture<float[]> a = CompletableFuture.supplyAsync(() -> reduced(members.get(0), first), threads);
            CompletableFuture<float[]> b = CompletableFuture.supplyAsync(() -> reduced(members.get(0), second), threads);
            CompletableFuture.anyOf(a, b).exceptionally(failure -> null).get(RANK_LIMIT_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<float[]> refused = a.isDone() ? a : b;
            CompletableFuture<float[]> running = refused == a ? b : a;
            assertThatThrownBy(refused::join).hasCauseInstanceOf(CollectiveException.class)
                    .hasMessageContaining("while another was running");
            float[] other = reduced(members.get(1), new float[] {10, 20, 30});
            float[] mine = running.get(RANK_LIMIT_SECONDS, TimeUnit.SECONDS);
            float[] expected = running == a ? new float[] {11, 22, 33} : new float[] {14, 25, 36};
            assertThat(mine).containsExactly(expected);
            assertThat(other).containsExactly(expected);
            assertSums(new float[][] {{1}, {2}}, allReduced(members, new float[][] {{1}, {2}}));
        } finally {
            threads.shutdownNow();
        }
    }

    private static float[] reduced(Collective member, float[] data) {
        member.allReduceSum(data);
        return data;
    }

    static Stream<Integer> worldsOfSeveral() {
        return Stream.of(2, 3, 4);
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("worldsOfSeveral")
    void mismatchedLengthsFailOnEveryRankAndEveryLaterCallFailsAtOnce(int size) {
        List<Collective> members = world(size, LONG);
        List<Outcome<Object>> outcomes = onEveryRank(members, member -> {
            member.allReduceSum(new float[member.rank() == size - 1 ? 8 : 7]);
            return null;
        });
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.collectiveFailure()).hasMessageContaining("floats"));
        assertEveryLaterCallFailsAtOnce(members);
    }

    /** Every member's later calls fail with a CollectiveException whose cause is its first failure. */
    static void assertEveryLaterCallFailsAtOnce(List<Collective> members) {
        List<Outcome<Object>> later = onEveryRank(members, member -> {
            for (Runnable call : List.<Runnable>of(() -> member.allReduceSum(new float[7]), member::barrier,
                    () -> member.broadcast(new float[7], 0))) {
                assertThatThrownBy(call::run).isInstanceOf(CollectiveException.class)
                        .cause().isInstanceOf(CollectiveException.class);
            }
            return null;
        });
        later.forEach(Outcome::get);
    }

    @Test
    void ranksThatCallDifferentOperationsOrRootsFailOnEveryRank() {
        List<RankTask<Object>> disagreements = List.of(
                member -> call(member.rank() == 2 ? () -> member.broadcast(new float[5], 0) : () -> member.allReduceSum(new float[5])),
                member -> call(() -> member.broadcast(new float[5], member.rank() == 1 ? 1 : 0)),
                member -> call(member.rank() == 0 ? member::barrier : () -> member.allReduceSum(new float[0])));
        for (RankTask<Object> disagreement : disagreements) {
            List<Outcome<Object>> outcomes = onEveryRank(world(3, LONG), disagreement);
            assertThat(outcomes).allSatisfy(Outcome::collectiveFailure);
        }
    }

    private static Object call(Runnable call) {
        call.run();
        return null;
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("worldsOfSeveral")
    void aRankThatLeavesWhileTheOthersWaitIsNamedByEveryOther(int size) {
        List<Collective> members = world(size, LONG);
        List<Outcome<Object>> outcomes = onEveryRank(members, member -> {
            if (member.rank() == 1) {
                Thread.sleep(100); // most likely the others are waiting by now; either way they must fail
                member.close();
                return null;
            }
            member.allReduceSum(new float[10]);
            return null;
        });
        for (Outcome<Object> outcome : outcomes) {
            if (outcome.rank() != 1) {
                assertThat(outcome.collectiveFailure().peer()).as("the peer rank %d names", outcome.rank()).isEqualTo(1);
                assertThat(outcome.collectiveFailure()).hasMessageContaining("rank 1 ");
            }
        }
    }

    static Stream<Arguments> absentRanks() {
        return Stream.of(Arguments.of(2, 1), Arguments.of(3, 0), Arguments.of(3, 2), Arguments.of(4, 1));
    }

    @ParameterizedTest(name = "{0} ranks, rank {1} absent")
    @MethodSource("absentRanks")
    void aRankThatDoesNotCallIsNamedByEveryOtherAfterTheTimeout(int size, int absent) {
        List<Collective> members = world(size, SHORT);
        List<Collective> callers = members.stream().filter(member -> member.rank() != absent).toList();
        List<Outcome<Object>> outcomes = onEveryRank(callers, member -> call(() -> member.allReduceSum(new float[7])));
        assertThat(outcomes).allSatisfy(outcome -> {
            assertThat(outcome.collectiveFailure().peer()).isEqualTo(absent);
            assertThat(outcome.collectiveFailure()).hasMessageContaining("rank " + absent + " ");
        });
        assertEveryLaterCallFailsAtOnce(callers);
        List<Outcome<Object>> late = onEveryRank(List.of(members.get(absent)),
                member -> call(() -> member.allReduceSum(new float[7])));
        assertThat(late.get(0).collectiveFailure()).isNotNull();
    }

    @Test
    void closingARankWhileItWaitsEndsItsCallAndItsPeersLearnThatItLeft() throws Exception {
        List<Collective> members = world(2, LONG);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<float[]> waiting = thread.submit(() -> reduced(members.get(0), new float[4]));
            Thread.sleep(100); // most likely it waits by now; if not, its call must fail all the same
            members.get(0).close();
            Outcome<float[]> ended = outcome(0, waiting);
            assertThat(ended.collectiveFailure().peer()).isEqualTo(0);
            assertThatThrownBy(() -> members.get(0).allReduceSum(new float[4])).isInstanceOf(CollectiveException.class);
            Outcome<Object> peer = onEveryRank(List.of(members.get(1)), member -> call(() -> member.allReduceSum(new float[4]))).get(0);
            assertThat(peer.collectiveFailure().peer()).isEqualTo(0);
            assertThat(peer.collectiveFailure()).hasMessageContaining("rank 0 ");
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        List<Collective> members = world(2, LONG);
        members.get(1).close();
        members.get(1).close();
        assertThatThrownBy(members.get(1)::barrier).isInstanceOf(CollectiveException.class).hasMessageContaining("rank 1");
    }

    @Test
    void aWorldOfOneReturnsItsInputs() {
        Collective alone = world(1, LONG).get(0);
        float[] data = {1.5f, -0f, Float.NaN};
        alone.allReduceSum(data);
        alone.broadcast(data, 0);
        alone.barrier();
        assertThat(rawBits(data)).containsExactly(rawBits(new float[] {1.5f, -0f, Float.NaN}));
        assertThatThrownBy(() -> alone.broadcast(data, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
