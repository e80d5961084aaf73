package io.twa4j.run.config;

import net.jqwik.api.statistics.StatisticsReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/**
 * A damaged {@code run.json} ({@link RunDirectory#readConfig}): every cut, byte flip and
 * replaced value either reads as exactly what the file says, with a value {@code train} could
 * have written, or is refused with a {@link RunError} of exit code 3 whose one line starts with
 * the file's path. Never another exception, never a hang.
 *
 * <p>What can be asserted, precisely (run.json has no checksum):
 *
 * <ul>
 *   <li>a cut is refused, unless only the final newline was cut (then nothing changed);
 *   <li>a flipped byte is refused, or changes exactly one field to another valid value (a digit
 *       of the seed or the learning rate, a letter of a version string); a flip from JSON
 *       whitespace to JSON whitespace changes nothing;
 *   <li>a field replaced by any JSON value is refused naming that field, or reads as that value
 *       (numbers compared by value), everything else unchanged.
 * </ul>
 */
// off, so that the build log shows only failures; STANDARD prints the distribution of the outcomes
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class RunConfigDamageProperties {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final RunConfig ORIGINAL = new RunConfig("train",
            new DataConfig("synthetic", null, 640, 300, 128, 250, false, null, null), new ModelConfig("cnn", 10, List.of(1, 28, 28)),
            new OptimizerConfig(2, 0.05, 0.9, 1e-4, "step", List.of(0.5, 0.75)), new SnapshotConfig(2), 5L, "cpu", null, null, null,
            new LinkedHashMap<>(Map.of("twa4j", "dev", "djl", "0.36.0")));

    private static Path dir;
    private static Path file;
    private static byte[] valid;
    private static JsonNode tree;

    @BeforeContainer
    static void writeAValidConfig() throws IOException {
        dir = Files.createTempDirectory("twa4j-runjson-props");
        RunDirectory run = RunDirectory.create(dir.resolve("run"), false);
        run.writeConfig(ORIGINAL);
        file = run.resolve("run.json");
        valid = Files.readAllBytes(file);
        tree = MAPPER.readTree(valid);
        assertThat(run.readConfig()).isEqualTo(ORIGINAL);
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, valid.length - 1);
    }

    @Property(tries = 150)
    void aCutIsRefusedUnlessOnlyTheFinalNewlineWasCut(@ForAll("positions") int length) {
        RunConfig read = read(Arrays.copyOf(valid, length));
        if (length == valid.length - 1 && valid[length] == '\n') {
            assertThat(read).isEqualTo(ORIGINAL);
        } else {
            assertThat(read).as("cut to %d of %d bytes", length, valid.length).isNull();
        }
    }

    @Property(tries = 200)
    void aFlippedByteIsRefusedOrChangesOneFieldToAValidValue(
            @ForAll("positions") int position, @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] damaged = valid.clone();
        damaged[position] ^= (byte) mask;
        RunConfig read = read(damaged);
        List<String> changed = read == null ? List.of() : changedComponents(read);
        Statistics.collect(read == null ? "refused" : changed.isEmpty() ? "same" : "changed " + changed);
        if (read == null) {
            return;
        }
        assertThat(changed).hasSizeLessThanOrEqualTo(1);
        if (isJsonWhitespace(valid[position]) && isJsonWhitespace(damaged[position])) {
            assertThat(read).isEqualTo(ORIGINAL);
        }
    }

    @Provide
    Arbitrary<String> keys() {
        List<String> keys = new ArrayList<>();
        tree.fieldNames().forEachRemaining(keys::add);
        return Arbitraries.of(keys);
    }

    /** A sample the property once found: a null schedule made the check itself fail (List.contains(null)). */
    @net.jqwik.api.Example
    void aNullScheduleIsRefusedNamingIt() {
        aReplacedValueReadsAsWrittenOrIsRefusedNamingTheField("schedule", NODES.nullNode());
    }

    @Property(tries = 300)
    void aReplacedValueReadsAsWrittenOrIsRefusedNamingTheField(
            @ForAll("keys") String key, @ForAll("values") JsonNode value) {
        ObjectNode damaged = tree.deepCopy();
        damaged.set(key, value);
        String[] message = new String[1];
        RunConfig read = read(bytes(damaged), message);
        Statistics.collect(read == null ? "refused" : "read");
        if (read == null) {
            assertThat(message[0]).as("the message names the field").contains(key);
            return;
        }
        JsonNode again = MAPPER.valueToTree(read);
        JsonNode written = readTree(bytes(damaged)).get(key); // as the file has it (a NaN is written as "NaN")
        assertThat(again.get(key).equals(BY_VALUE, written)).as("%s: wrote %s, read %s", key, written, again.get(key)).isTrue();
        tree.fieldNames().forEachRemaining(other -> {
            if (!other.equals(key)) {
                assertThat(again.get(other).equals(BY_VALUE, tree.get(other))).as(other).isTrue();
            }
        });
    }

    @Property(tries = 60)
    void aMissingOrUnexpectedFieldIsRefusedNamingIt(@ForAll("keys") String key, @ForAll boolean remove) {
        ObjectNode damaged = tree.deepCopy();
        if (remove) {
            damaged.remove(key);
        } else {
            damaged.put(key + "x", 1);
        }
        String[] message = new String[1];
        RunConfig read = read(bytes(damaged), message);
        if (remove && RunConfigFile.ADDED_KEYS.containsKey(key)) {
            assertThat(read).as("a key added later may be missing: it reads as null").isEqualTo(ORIGINAL);
            return;
        }
        assertThat(read).isNull();
        assertThat(message[0]).contains(remove ? key : "unexpected key '" + key + "x'");
    }

    /**
     * Numbers compare by value (a written 3 reads back as 3.0; a double field holds the nearest
     * double), integers exactly, everything else exactly.
     */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.isFloatingPointNumber() || b.isFloatingPointNumber()
                    ? Double.compare(a.doubleValue(), b.doubleValue())
                    : a.bigIntegerValue().compareTo(b.bigIntegerValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    /** JSON values, with the values next to the limits the reader checks and the other valid names. */
    @Provide
    Arbitrary<JsonNode> values() {
        Arbitrary<JsonNode> numbers = Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 300).map(NODES::numberNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.of(Integer.MAX_VALUE + 1L, Long.MIN_VALUE).map(NODES::numberNode),
                Arbitraries.of(BigInteger.TWO.pow(64)).map(NODES::numberNode),
                Arbitraries.of(0.5, 2.5, 0.0, -0.0, -0.1, 0.99, 1.0, 1e308, Double.NaN, Double.POSITIVE_INFINITY)
                        .map(NODES::numberNode));
        Arbitrary<JsonNode> strings = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\u0000', '\u00e9').ofMaxLength(12)
                        .map(NODES::textNode),
                Arbitraries.of("train", "swa", "synthetic", "mnist", "fashion-mnist", "cifar10", "cifar100", "cnn", "VGG16",
                        "PreResNet20", "step", "constant", "linear", "cosine", "cpu", "gpu", "tpu", "", "10", "true",
                        "/tmp/x").map(NODES::textNode));
        Arbitrary<JsonNode> scalars = Arbitraries.frequencyOf(
                Tuple.of(4, numbers), Tuple.of(4, strings),
                Tuple.of(1, Arbitraries.of(NODES.booleanNode(true), NODES.booleanNode(false), NODES.nullNode())));
        Arbitrary<JsonNode> arrays = Arbitraries.oneOf(
                scalars.list().ofMaxSize(4),
                Arbitraries.of(List.of(1, 28, 28), List.of(3, 32, 32), List.of(1, 28), List.of(0.25, 0.5), List.of(0.5, 1))
                        .map(l -> l.stream().map(n -> (JsonNode) (n instanceof Integer i ? NODES.numberNode(i)
                                : NODES.numberNode(((Number) n).doubleValue()))).toList()))
                .map(items -> {
                    ArrayNode array = NODES.arrayNode();
                    items.forEach(array::add);
                    return array;
                });
        Arbitrary<JsonNode> objects = Arbitraries.maps(Arbitraries.of("twa4j", "djl", "x", ""), scalars).ofMaxSize(3)
                .map(m -> {
                    ObjectNode object = NODES.objectNode();
                    m.forEach(object::set);
                    return object;
                });
        return Arbitraries.frequencyOf(Tuple.of(6, scalars), Tuple.of(2, arrays), Tuple.of(1, objects));
    }

    private static RunConfig read(byte[] bytes) {
        return read(bytes, new String[1]);
    }

    /**
     * Reads {@code bytes} as run.json: the configuration, or null with the message in {@code
     * message[0]} when refused. Anything but a one-line exit-3 RunError naming the file fails.
     */
    private static RunConfig read(byte[] bytes, String[] message) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> RunDirectory.open(file.getParent()).readConfig());
        } catch (RunError e) {
            assertThat(e.kind()).isEqualTo(RunError.Kind.INPUT);
            assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("Exception")
                    .doesNotContainPattern("[\\r\\n\\u0085\\u2028\\u2029]");
            message[0] = e.getMessage();
            return null;
        } catch (RuntimeException e) {
            return fail("expected a RunError or a configuration, got " + e, e);
        }
    }

    private static List<String> changedComponents(RunConfig read) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : RunConfig.class.getRecordComponents()) {
            try {
                Object a = component.getAccessor().invoke(ORIGINAL);
                Object b = component.getAccessor().invoke(read);
                if (a == null ? b != null : !a.equals(b)) {
                    changed.add(component.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return changed;
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
