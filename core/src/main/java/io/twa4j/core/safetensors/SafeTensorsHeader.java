package io.twa4j.core.safetensors;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.BadFileException;
import io.twa4j.core.io.Json;
import io.twa4j.core.io.OneLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Encodes and decodes (with validation) the JSON header of a safetensors file. */
final class SafeTensorsHeader {

    /** The metadata key of the header; no tensor may have this name. */
    static final String METADATA_KEY = "__metadata__";

    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    private SafeTensorsHeader() {}

    /** A {@link BadFileException} "{@code source}: {@code problem}". */
    static BadFileException fail(String source, String problem) {
        return new BadFileException(source + ": " + problem);
    }

    /**
     * The header bytes for {@code tensors} laid out contiguously in the given order: compact JSON,
     * {@code __metadata__} first (when not empty), padded with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<Planned> tensors, Map<String, String> metadata) {
        ObjectNode root = Json.object();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Planned t : tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape().getShape()) {
                shape.add(d);
            }
            long end = offset + t.byteLength();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = Json.COMPACT.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** The first byte of a JSON object: an opening brace. */
    private static final byte OBJECT_START = 0x7B;

    /**
     * Parses and validates a header.
     *
     * @param source the file, for messages
     * @param bytes the header bytes (after the 8-byte length)
     * @param dataStart the file offset of the byte buffer
     * @param dataBytes the length of the byte buffer (the rest of the file)
     * @return the header, tensors in the order of their data
     * @throws BadFileException naming {@code source} and the problem
     */
    static Header decode(String source, byte[] bytes, long dataStart, long dataBytes) {
        if (bytes.length == 0 || bytes[0] != OBJECT_START) {
            throw fail(source, "header does not start with '" + (char) OBJECT_START + "' (not a safetensors file?)");
        }
        JsonNode root = Json.readObject(bytes, "header", problem -> fail(source, problem));
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(source, field.getValue());
            } else {
                entries.add(entry(source, field.getKey(), field.getValue()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkLayout(source, entries, dataBytes);
        return new Header(entries, metadata, dataStart);
    }

    private static Map<String, String> metadata(String source, JsonNode node) {
        if (!node.isObject()) {
            throw fail(source, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw fail(source, METADATA_KEY + " value of " + OneLine.quote(field.getKey()) + " is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static Entry entry(String source, String name, JsonNode node) {
        String what = "tensor " + OneLine.quote(name);
        if (!node.isObject()) {
            throw fail(source, what + " is not described by a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            if (!ENTRY_KEYS.contains(key)) {
                throw fail(source, what + " has an unexpected key " + OneLine.quote(key));
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(source, what + " has no string 'dtype'");
        }
        Dtype dtype = Dtype.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw fail(source, what + " has unknown dtype " + OneLine.quote(dtypeNode.textValue()));
        }
        long[] dims = naturals(source, what, "shape", node.get("shape"));
        long[] offsets = naturals(source, what, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2) {
            throw fail(source, what + ": 'data_offsets' must hold 2 numbers, not " + offsets.length);
        }
        if (offsets[1] < offsets[0]) {
            throw fail(source, what + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        Shape shape = new Shape(dims);
        long expected;
        try {
            long elements = 1;
            long extent = 1; // the product with empty dimensions counted as 1 bounds every stride
            for (long d : dims) {
                elements = Math.multiplyExact(elements, d);
                extent = Math.multiplyExact(extent, Math.max(d, 1));
            }
            expected = Math.multiplyExact(elements, (long) dtype.bytes());
            Math.multiplyExact(extent, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw fail(source, what + ": shape " + shape + " is too large");
        }
        long actual = offsets[1] - offsets[0];
        if (actual != expected) {
            throw fail(source, what + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + actual
                    + " bytes but " + dtype + " " + shape + " needs " + expected);
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers that fit a {@code long}. */
    private static long[] naturals(String source, String what, String key, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw fail(source, what + " has no array '" + key + "'");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                throw fail(source, what + ": '" + key + "' holds " + n + ", not a non-negative integer");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    /** The tensors (sorted by offset) must tile the byte buffer exactly: no gap, overlap or excess. */
    private static void checkLayout(String source, List<Entry> sorted, long dataBytes) {
        long expected = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.begin() < expected) {
                throw fail(source, "tensor " + OneLine.quote(e.name()) + " (bytes " + e.begin() + ".." + e.end()
                        + ") overlaps tensor " + OneLine.quote(previous) + " (ends at " + expected + ")");
            }
            if (e.begin() > expected) {
                throw fail(source, "bytes " + expected + ".." + e.begin() + " of the data belong to no tensor (before "
                        + OneLine.quote(e.name()) + ")");
            }
            expected = e.end();
            previous = e.name();
        }
        if (expected > dataBytes) {
            throw fail(source, "truncated: the tensors need " + expected + " data bytes, the file holds " + dataBytes);
        }
        if (expected < dataBytes) {
            throw fail(source, (dataBytes - expected) + " trailing bytes after the last tensor's data");
        }
    }
}

