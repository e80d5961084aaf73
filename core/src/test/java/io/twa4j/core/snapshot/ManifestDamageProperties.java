package io.twa4j.core.snapshot;

import net.jqwik.api.statistics.StatisticsReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.FileDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/**
 * The manifest parser ({@link Manifest#decode}, on {@link io.twa4j.core.io.Json#readObject}) against structured damage:
 * any value of an entry replaced by any JSON value, keys removed or added, arbitrary bytes and
 * text, and inputs built to exhaust a parser (deep nesting, endless numbers). Every input either
 * decodes to exactly what it says, or is refused with a one-line {@link SnapshotException} that
 * starts with the file's name and, for damage inside an entry, names the entry
 * ({@code snapshots[i]}) and the key. Never another exception, never a hang.
 *
 * <p>(Byte flips and cuts of a written manifest, and what they do to the snapshots it describes,
 * are {@link SnapshotStoreDamageProperties}'.)
 */
// off, so that the build log shows only failures; STANDARD prints the distribution of the outcomes
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class ManifestDamageProperties {

    private static final String SOURCE = "run/snapshots/manifest.json";
    private static final ObjectMapper WRITER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> ENTRY_KEYS =
            List.of("index", "epoch", "step", "global_step", "lr", "metrics", "file", "bytes", "sha256");

    /** Numbers compare by value (a written 3 reads back as 3.0), everything else exactly. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private static final List<SnapshotInfo> ORIGINAL = List.of(
            new SnapshotInfo(0, SnapshotMeta.of(0, 0, 0, 0.1), Manifest.fileName(0), new FileDigest(1200, "0123456789abcdef".repeat(4))),
            new SnapshotInfo(1, new SnapshotMeta(1, 0, 50, 0.1, Map.of("train_loss", 1.5, "test_acc", 0.625)),
                    Manifest.fileName(1), new FileDigest(1208, "fedcba9876543210".repeat(4))),
            new SnapshotInfo(2, new SnapshotMeta(1, 25, 75, 0.01, Map.of("train_loss", 0.75)),
                    Manifest.fileName(2), new FileDigest(1216, "00112233445566778899aabbccddeeff".repeat(2))));

    private static JsonNode tree() {
        try {
            return WRITER.readTree(Manifest.encode(ORIGINAL));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON scalars, with the values next to every limit the parser checks. */
    private static Arbitrary<JsonNode> scalars() {
        Arbitrary<JsonNode> integers = Arbitraries.oneOf(
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.of(-1L, 0L, 1L, 2L, 3L, (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE,
                        Long.MIN_VALUE).map(NODES::numberNode),
                Arbitraries.of(BigInteger.TWO.pow(64), BigInteger.TEN.pow(400).negate()).map(NODES::numberNode));
        Arbitrary<JsonNode> doubles = Arbitraries.oneOf(
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.of(0.5, -0.0, -0.1, 1e308, Double.MIN_VALUE, 2.0, Double.NaN, Double.POSITIVE_INFINITY)
                        .map(NODES::numberNode));
        Arbitrary<JsonNode> strings = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\u0000', '\u00e9', '\u2028')
                        .ofMaxLength(20).map(NODES::textNode),
                Arbitraries.of(Manifest.fileName(0), Manifest.fileName(1), Manifest.fileName(2), "../000001.safetensors",
                        "0123456789abcdef".repeat(4), "0123456789ABCDEF".repeat(4), "0123456789abcdef".repeat(4) + "0",
                        "", "twa4j-snapshots/1").map(NODES::textNode));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, integers),
                net.jqwik.api.Tuple.of(3, doubles),
                net.jqwik.api.Tuple.of(3, strings),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(NODES.booleanNode(true), NODES.booleanNode(false), NODES.nullNode())));
    }

    /** Any JSON value: scalars, and arrays and objects of them (keys include the real metric names). */
    @Provide
    Arbitrary<JsonNode> values() {
        return Arbitraries.recursive(ManifestDamageProperties::scalars, inner -> Arbitraries.oneOf(
                inner,
                inner.list().ofMaxSize(3).map(items -> {
                    ArrayNode array = NODES.arrayNode();
                    items.forEach(array::add);
                    return array;
                }),
                Arbitraries.maps(Arbitraries.of("train_loss", "test_acc", "", "x", "\n"), inner).ofMaxSize(3).map(m -> {
                    ObjectNode object = NODES.objectNode();
                    m.forEach(object::set);
                    return object;
                })), 0, 2);
    }

    @Provide
    Arbitrary<String> entryKeys() {
        return Arbitraries.of(ENTRY_KEYS);
    }

    @Property(tries = 300)
    void anyValueOfAnEntryReadsAsWrittenOrIsRefusedNamingEntryAndKey(
            @ForAll @IntRange(max = 2) int index, @ForAll("entryKeys") String key, @ForAll("values") JsonNode value) {
        JsonNode damaged = tree();
        ((ObjectNode) damaged.get("snapshots").get(index)).set(key, value);
        Outcome outcome = decode(bytes(damaged));
        Statistics.collect(outcome.error() == null ? "read" : "refused");
        if (outcome.error() != null) {
            assertThat(outcome.error().getMessage())
                    .startsWith(SOURCE + ": snapshots[" + index + "]")
                    .contains(key.equals("global_step") ? "global_step" : key);
            return;
        }
        List<SnapshotInfo> read = outcome.snapshots();
        assertThat(read).hasSize(ORIGINAL.size());
        for (int i = 0; i < read.size(); i++) {
            if (i != index) {
                assertThat(read.get(i)).isEqualTo(ORIGINAL.get(i));
            }
        }
        // what was read is what the file says: written again, the value is the one put in
        JsonNode again = tree(read).get("snapshots").get(index);
        assertThat(again.get(key).equals(BY_VALUE, value)).as("%s: wrote %s, read %s", key, value, again.get(key)).isTrue();
        for (String other : ENTRY_KEYS) {
            if (!other.equals(key)) {
                assertThat(again.get(other)).isEqualTo(tree().get("snapshots").get(index).get(other));
            }
        }
    }

    @Property(tries = 100)
    void aMissingOrUnexpectedKeyIsAlwaysRefusedNamingEntryAndKey(
            @ForAll @IntRange(max = 2) int index, @ForAll("entryKeys") String key, @ForAll boolean remove,
            @ForAll("values") JsonNode value) {
        JsonNode damaged = tree();
        ObjectNode entry = (ObjectNode) damaged.get("snapshots").get(index);
        String named = remove ? key : key + "_";
        if (remove) {
            entry.remove(key);
        } else {
            entry.set(named, value);
        }
        Outcome outcome = decode(bytes(damaged));
        assertThat(outcome.error()).as("%s %s", remove ? "removed" : "added", named).isNotNull();
        assertThat(outcome.error().getMessage())
                .startsWith(SOURCE + ": snapshots[" + index + "]")
                .contains(remove ? "has no '" + key + "'" : "unexpected key '" + named + "'");
    }

    @Property(tries = 100)
    void anyValueOfTheRootIsRefusedUnlessItIsTheOriginal(
            @ForAll("rootKeys") String key, @ForAll("values") JsonNode value) {
        JsonNode damaged = tree();
        ((ObjectNode) damaged).set(key, value);
        Outcome outcome = decode(bytes(damaged));
        if (outcome.error() == null) {
            // only an empty list or the original format string can pass
            assertThat(key.equals("format") ? value.asText() : value.size()).isIn("twa4j-snapshots/1", 0);
            return;
        }
        assertThat(outcome.error().getMessage()).startsWith(SOURCE + ": ");
    }

    @Provide
    Arbitrary<String> rootKeys() {
        return Arbitraries.of("format", "snapshots", "extra");
    }

    @Property(tries = 200)
    void arbitraryBytesNeverEscapeAsAnotherException(@ForAll byte[] bytes) {
        decode(bytes);
    }

    @Property(tries = 300)
    void arbitraryJsonLikeTextNeverEscapesAsAnotherException(@ForAll("jsonLike") String text) {
        decode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Text made of JSON's own characters, often starting like a manifest. */
    @Provide
    Arbitrary<String> jsonLike() {
        Arbitrary<String> noise = Arbitraries.strings().withChars("{}[]\":,0123456789.-+eE truefalsn\\u").ofMaxLength(60);
        return Arbitraries.oneOf(noise, noise.map(s -> "{\"format\":\"twa4j-snapshots/1\",\"snapshots\":[" + s));
    }

    @Example
    void inputsBuiltToExhaustAParserAreRefusedInOneLine() {
        String deep = "{\"format\":\"twa4j-snapshots/1\",\"snapshots\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(decode(deep.getBytes(StandardCharsets.UTF_8)).error()).isNotNull();
        String longNumber = Manifest.encode(ORIGINAL).replace("\"bytes\" : 1200", "\"bytes\" : " + "9".repeat(100_000));
        assertThat(longNumber).contains("9".repeat(100));
        assertThat(decode(longNumber.getBytes(StandardCharsets.UTF_8)).error()).isNotNull();
        String longKey = "{\"" + "k".repeat(1_000_000) + "\":1}";
        assertThat(decode(longKey.getBytes(StandardCharsets.UTF_8)).error().getMessage()).hasSizeLessThan(300);
    }

    /** What decoding gave: the list, or the exception. */
    record Outcome(List<SnapshotInfo> snapshots, SnapshotException error) {}

    /** Decodes with a time limit; an exception other than a one-line SnapshotException fails the property. */
    private static Outcome decode(byte[] bytes) {
        try {
            return new Outcome(Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> Manifest.decode(SOURCE, bytes)), null);
        } catch (SnapshotException e) {
            assertThat(e.getMessage()).startsWith(SOURCE + ": ").doesNotContain("\n").doesNotContain("\r");
            return new Outcome(null, e);
        } catch (RuntimeException e) {
            return fail("expected a SnapshotException or a list, got " + e, e);
        }
    }

    private static JsonNode tree(List<SnapshotInfo> list) {
        try {
            return WRITER.readTree(Manifest.encode(new ArrayList<>(list)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return WRITER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
