package io.twa4j.core.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.Json;
import io.twa4j.core.io.OneLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of the snapshot list ({@code snapshots/manifest.json}), written and read with
 * validation:
 *
 * <pre>{@code
 * {"format": "twa4j-snapshots/1",
 *  "snapshots": [{"index": 0, "epoch": 0, "step": 0, "global_step": 0, "lr": 0.1,
 *                 "metrics": {"train_loss": 2.3}, "file": "000000.safetensors",
 *                 "bytes": 1234, "sha256": "..."}, ...]}
 * }</pre>
 */
final class Manifest {

    /** The value of {@code "format"} this code writes and reads. */
    static final String FORMAT = "twa4j-snapshots/1";

    private static final Set<String> ROOT_KEYS = Set.of("format", "snapshots");
    private static final Set<String> ENTRY_KEYS =
            Set.of("index", "epoch", "step", "global_step", "lr", "metrics", "file", "bytes", "sha256");

    private Manifest() {}

    /** The file name of snapshot {@code index}: six digits, zero-padded. */
    static String fileName(int index) {
        return String.format(Locale.ROOT, "%06d.safetensors", index);
    }

    /** The manifest text for {@code snapshots}, indented, ending with a newline. */
    static String encode(List<SnapshotInfo> snapshots) {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        var list = root.putArray("snapshots");
        for (SnapshotInfo s : snapshots) {
            ObjectNode e = list.addObject();
            e.put("index", s.index());
            e.put("epoch", s.meta().epoch());
            e.put("step", s.meta().step());
            e.put("global_step", s.meta().globalStep());
            e.put("lr", s.meta().lr());
            ObjectNode metrics = e.putObject("metrics");
            s.meta().metrics().forEach(metrics::put);
            e.put("file", s.file());
            s.digest().putInto(e);
        }
        return Json.toFileText(root);
    }

    /**
     * Parses and validates a manifest.
     *
     * @param source the manifest file, for messages
     * @throws SnapshotException naming {@code source} and the problem
     */
    static List<SnapshotInfo> decode(String source, byte[] bytes) {
        JsonNode root = Json.readObject(bytes, "manifest", problem -> fail(source, problem));
        checkKeys(source, "the manifest", root, ROOT_KEYS);
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !format.textValue().equals(FORMAT)) {
            throw fail(source, "format is " + format + ", not \"" + FORMAT + "\"");
        }
        JsonNode list = root.get("snapshots");
        if (list == null || !list.isArray()) {
            throw fail(source, "'snapshots' is missing or not a JSON array");
        }
        List<SnapshotInfo> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(entry(source, i, list.get(i)));
        }
        return out;
    }

    private static SnapshotInfo entry(String source, int i, JsonNode node) {
        String where = "snapshots[" + i + "]";
        if (!node.isObject()) {
            throw fail(source, where + " is not a JSON object");
        }
        checkKeys(source, where, node, ENTRY_KEYS);
        long index = natural(source, where, node, "index", Integer.MAX_VALUE);
        if (index != i) {
            throw fail(source, where + " has index " + index + "; entries must be numbered 0, 1, 2, ... in order");
        }
        int epoch = (int) natural(source, where, node, "epoch", Integer.MAX_VALUE);
        int step = (int) natural(source, where, node, "step", Integer.MAX_VALUE);
        long globalStep = natural(source, where, node, "global_step", Long.MAX_VALUE);
        JsonNode lr = require(source, where, node, "lr");
        if (!lr.isNumber() || !Double.isFinite(lr.doubleValue()) || lr.doubleValue() < 0) {
            throw fail(source, where + ".lr must be a non-negative number, not " + lr);
        }
        JsonNode metricsNode = require(source, where, node, "metrics");
        if (!metricsNode.isObject()) {
            throw fail(source, where + ".metrics must be a JSON object, not " + metricsNode);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> m : metricsNode.properties()) {
            JsonNode v = m.getValue();
            if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || m.getKey().isEmpty()) {
                throw fail(source, where + ".metrics[" + OneLine.quote(m.getKey()) + "] must be a finite number, not " + v);
            }
            metrics.put(m.getKey(), v.doubleValue());
        }
        JsonNode file = require(source, where, node, "file");
        if (!file.isTextual() || !file.textValue().equals(fileName(i))) {
            throw fail(source, where + ".file is " + file + ", expected \"" + fileName(i) + "\"");
        }
        FileDigest digest = FileDigest.from(node, where, problem -> fail(source, problem));
        SnapshotMeta meta = new SnapshotMeta(epoch, step, globalStep, lr.doubleValue(), metrics);
        return new SnapshotInfo(i, meta, file.textValue(), digest);
    }

    private static void checkKeys(String source, String where, JsonNode node, Set<String> allowed) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw fail(source, where + " has an unexpected key " + OneLine.quote(field.getKey()));
            }
        }
    }

    private static JsonNode require(String source, String where, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null) {
            throw fail(source, where + " has no '" + key + "'");
        }
        return v;
    }

    private static long natural(String source, String where, JsonNode node, String key, long max) {
        JsonNode v = require(source, where, node, key);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > max) {
            throw fail(source, where + "." + key + " must be an integer in 0.." + max + ", not " + OneLine.abbreviate(v.toString()));
        }
        return v.longValue();
    }

    private static SnapshotException fail(String source, String problem) {
        return new SnapshotException(source + ": " + problem);
    }
}
