package io.twa4j.run.config;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.Json;
import io.twa4j.core.io.OneLine;
import io.twa4j.core.io.IoMessages;
import io.twa4j.run.RunError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code RUN/run.json}: a {@link RunConfig} written as one flat JSON object and read back
 * strictly. A hand-edited or damaged file is refused naming the file and the key, rather than
 * failing later in the engine: duplicate, unknown or missing keys, a fraction for an integer, a
 * string for a number, and every value its record's constructor refuses. A changed value that is
 * still valid (another seed) cannot be told from the original: the file has no checksum.
 */
public final class RunConfigFile {

    /** Every key of run.json: the top-level components, the unwrapped groups' components in their place. */
    private static final Set<String> KEYS = keysOf(RunConfig.class);

    /**
     * Keys added after the first run.json format, with the value their absence means: a file
     * written before lacks them and reads as if it held these.
     */
    static final Map<String, JsonNode> ADDED_KEYS = Map.of("val_ratio", NullNode.getInstance(), "val_limit",
            NullNode.getInstance(), "init", NullNode.getInstance(), "label_smoothing", DoubleNode.valueOf(0), "image_size",
            NullNode.getInstance(), "data_workers", NullNode.getInstance(), "skip_bad_images", BooleanNode.FALSE);

    private RunConfigFile() {}

    /** Writes {@code config} to {@code file} atomically. */
    public static void write(Path file, RunConfig config) {
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws RunError (input) "FILE: what is wrong"
     */
    public static RunConfig read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode tree = Json.TREE.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw RunError.input(file + ": not a valid run configuration: it holds " + (tree == null ? "nothing" : tree.getNodeType()
                        .toString().toLowerCase(java.util.Locale.ROOT)) + ", not a JSON object");
            }
            for (String key : (Iterable<String>) tree::fieldNames) {
                if (!KEYS.contains(key)) {
                    throw RunError.input(file + ": not a valid run configuration: unexpected key " + OneLine.quote(key));
                }
            }
            if (ADDED_KEYS.keySet().stream().allMatch(tree::has)) {
                return Json.STRICT.forType(RunConfig.class).readValue(bytes); // read from the text: errors have a line and column
            }
            ObjectNode complete = ((ObjectNode) tree).deepCopy();
            ADDED_KEYS.forEach(complete::putIfAbsent);
            return Json.STRICT.forType(RunConfig.class).readValue(complete);
        } catch (JacksonException e) {
            InvalidSettingException invalid = invalidSetting(e);
            if (invalid != null) {
                throw RunError.input(OneLine.of(file + ": " + invalid.getMessage()));
            }
            throw RunError.input(file + ": not a valid run configuration: " + Json.problem(e));
        } catch (IOException e) {
            throw RunError.input(file + ": cannot read: " + IoMessages.reason(e));
        }
    }

    /** The check that refused a value, where Jackson's error wraps one. */
    private static InvalidSettingException invalidSetting(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidSettingException invalid) {
                return invalid;
            }
        }
        return null;
    }

    /** The flat keys of a record whose {@link JsonUnwrapped} components are records themselves. */
    static Set<String> keysOf(Class<? extends Record> type) {
        PropertyNamingStrategies.NamingBase snake = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
        Set<String> keys = new LinkedHashSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
                for (RecordComponent inner : component.getType().getRecordComponents()) {
                    keys.add(snake.translate(inner.getName()));
                }
            } else {
                keys.add(snake.translate(component.getName()));
            }
        }
        return Set.copyOf(keys);
    }

}
