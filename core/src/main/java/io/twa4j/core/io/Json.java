package io.twa4j.core.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.function.Function;

/**
 * The Jackson set-up of twa4j, made once: how our JSON files are read (strictly) and written
 * (indented files, compact lines), and what a JSON problem says to a user.
 *
 * <p>The readers and writers are immutable and thread-safe; derive variants with their {@code
 * with...}/{@code forType} methods.
 */
public final class Json {

    /** Strict syntax: duplicate keys, NaN and Infinity, and content after the value are errors. */
    private static final JsonMapper SYNTAX = strictSyntax().build();

    /**
     * Strict data binding on top: unknown keys, missing creator properties, null for a primitive,
     * a fraction for an integer, a string (even an empty one) for a number and a number or boolean
     * for a string are errors (Jackson's defaults accept them silently: {@code "epochs": 2.7}
     * would read as 2).
     */
    private static final JsonMapper BINDING = strictSyntax()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfigDefaults(all -> all
                    .setAcceptBlankAsEmpty(false)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /**
     * Reads JSON trees strictly: duplicate keys, {@code NaN}/{@code Infinity} and trailing
     * content are errors ({@code TREE.readTree(text)}).
     */
    public static final ObjectReader TREE = SYNTAX.readerFor(JsonNode.class);

    /**
     * Reads our own files into records strictly ({@code STRICT.readValue(file, RunConfig.class)}):
     * everything {@link #TREE} refuses, and unknown keys, missing keys, null for a primitive, a
     * fraction for an integer, a string (even an empty one) for a number and a number or boolean
     * for a string.
     */
    public static final ObjectReader STRICT = BINDING.reader();

    /** Writes indented JSON (our files). */
    public static final ObjectWriter PRETTY = SYNTAX.writerWithDefaultPrettyPrinter();

    /** Writes compact JSON (one line: JSON Lines, standard output, safetensors headers). */
    public static final ObjectWriter COMPACT = SYNTAX.writer();

    private Json() {}

    private static JsonMapper.Builder strictSyntax() {
        return JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** A new, empty JSON object. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** {@code tree} as the text of one of our files: indented, ending with a newline. */
    public static String toFileText(JsonNode tree) {
        try {
            return PRETTY.writeValueAsString(tree) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /**
     * The JSON object that {@code bytes} hold, read strictly ({@link #TREE}) from valid UTF-8.
     *
     * @param what names the text in messages ("header", "manifest")
     * @param failure makes the exception to throw from a one-line problem such as "manifest is
     *     not valid JSON: ..."
     * @throws E if the bytes are not valid UTF-8, not valid JSON or not a JSON object
     */
    public static <E extends RuntimeException> ObjectNode readObject(byte[] bytes, String what, Function<String, E> failure) {
        String text;
        try {
            text = Utf8.decodeStrictly(bytes);
        } catch (CharacterCodingException e) {
            throw failure.apply(what + " is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = TREE.readTree(text);
        } catch (JacksonException e) {
            throw failure.apply(what + " is not valid JSON: " + problem(e));
        }
        if (root == null || !root.isObject()) {
            throw failure.apply(what + " is not a JSON object");
        }
        return (ObjectNode) root;
    }

    /**
     * What is wrong with a JSON text, in one line for a user: the key it concerns (the path for a
     * data-binding error, the parser's current key otherwise), Jackson's own message without the
     * source excerpt, class names and configuration hints, and the line and column. An unknown key
     * reads "unexpected key 'k' (line, column)", a missing one "missing key 'k'".
     */
    public static String problem(JacksonException e) {
        String at = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return controlsToSpaces("unexpected key '" + unknown.getPropertyName() + "'" + at);
        }
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = message.lines().findFirst().orElse("")
                .replaceAll(" \\((but|set) .*$", "") // "(but might if coercion using `CoercionConfig` was enabled)"
                .replaceAll(" ?\\(class [\\w.$]+\\)", "")
                .replace("`java.lang.", "`")
                .strip();
        String where = where(e);
        if (message.startsWith("Missing creator property")) {
            return controlsToSpaces("missing key '" + where + "'");
        }
        return controlsToSpaces((where.isEmpty() ? "" : "'" + where + "': ") + message + at);
    }

    /** The key path of a data-binding error ("a.b[2]"), else the key the parser is at, else "". */
    private static String where(JacksonException e) {
        StringBuilder where = new StringBuilder();
        if (e instanceof JsonMappingException mapping) {
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() != null) {
                    where.append(where.length() == 0 ? "" : ".").append(reference.getFieldName());
                } else if (reference.getIndex() >= 0) {
                    where.append('[').append(reference.getIndex()).append(']');
                }
            }
        }
        if (where.length() == 0 && e.getProcessor() instanceof JsonParser parser) {
            where.append(currentName(parser)); // a number out of range is the parser's error: no path
        }
        return where.toString();
    }

    private static String controlsToSpaces(String s) {
        return s.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", " ");
    }

    /** The key the parser is at, or "" where there is none. */
    private static String currentName(JsonParser parser) {
        try {
            String name = parser.currentName();
            return name == null ? "" : name;
        } catch (IOException e) {
            return "";
        }
    }
}
