package io.twa4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/** The Jackson mappers of the CLI. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper COMPACT = new ObjectMapper();

    /**
     * Reads our own files strictly: duplicate keys, unknown keys, missing keys, trailing content,
     * null for a number, a fraction for an integer, a string (even an empty one) for a number and
     * a number for a string are all errors
     * (Jackson's defaults accept them silently: {@code "epochs": 2.7} would read as 2).
     */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
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

    private Json() {}

    /**
     * What is wrong with a JSON file, in one line for a user: the key it concerns, Jackson's own
     * message without the source excerpt, class names and configuration hints, and the line and
     * column.
     */
    static String problem(JacksonException e) {
        String at = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return oneLine("unexpected key '" + unknown.getPropertyName() + "'" + at);
        }
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = message.lines().findFirst().orElse("")
                .replaceAll(" \\((but|set) .*$", "") // "(but might if coercion using `CoercionConfig` was enabled)"
                .replaceAll(" ?\\(class [\\w.$]+\\)", "")
                .replace("`java.lang.", "`")
                .strip();
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
        if (message.startsWith("Missing creator property")) {
            return oneLine("missing key '" + where + "'");
        }
        return oneLine((where.length() == 0 ? "" : "'" + where + "': ") + message + at);
    }

    private static String oneLine(String s) {
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
