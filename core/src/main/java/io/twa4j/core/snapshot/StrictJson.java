package io.twa4j.core.snapshot;

import io.twa4j.core.io.Utf8;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;

/** Parses the JSON of our files (safetensors headers, manifests) strictly: valid UTF-8, one object. */
final class StrictJson {
    private StrictJson() {}

    /**
     * The JSON object in {@code bytes}; {@code what} names the part in messages ("header",
     * "manifest").
     *
     * @throws SnapshotException naming {@code source} and the problem
     */
    static JsonNode object(String source, String what, byte[] bytes) {
        String text;
        try {
            text = Utf8.decodeStrictly(bytes);
        } catch (CharacterCodingException e) {
            throw Messages.fail(source, what + " is not valid UTF-8");
        }
        JsonNode root;
        try (JsonParser parser = SafeTensorsHeader.JSON.createParser(text)) {
            root = SafeTensorsHeader.JSON.readTree(parser);
        } catch (IOException e) {
            throw Messages.fail(source, what + " is not valid JSON: " + Messages.jsonProblem(e));
        }
        if (root == null || !root.isObject()) {
            throw Messages.fail(source, what + " is not a JSON object");
        }
        return root;
    }
}
