package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    /** A record like the CLI's configuration files. */
    record Settings(int epochs, double lr, String name, List<Integer> sizes) {}

    private static String problem(String json) {
        return Json.problem(catchThrowableOfType(JacksonException.class, () -> Json.STRICT.readValue(json, Settings.class)));
    }

    @Test
    void strictBindingRefusesWhatJacksonWouldAcceptSilently() throws IOException {
        String valid = "{\"epochs\": 2, \"lr\": 0.1, \"name\": \"x\", \"sizes\": [1, 2]}";
        assertThat(Json.STRICT.readValue(valid, Settings.class)).isEqualTo(new Settings(2, 0.1, "x", List.of(1, 2)));
        assertThat(problem("{\"epochs\": 2, \"lr\": 0.1, \"name\": \"x\", \"sizes\": [], \"extra\": 1}"))
                .isEqualTo("unexpected key 'extra' (line 1, column 62)");
        assertThat(problem("{\"lr\": 0.1, \"name\": \"x\", \"sizes\": []}")).isEqualTo("missing key 'epochs'");
        assertThat(problem("{\"epochs\": 2.7, \"lr\": 0.1, \"name\": \"x\", \"sizes\": []}")).startsWith("'epochs': ")
                .doesNotContain("java.lang").doesNotContain("CoercionConfig").contains("(line 1, column 12)");
        assertThat(problem("{\"epochs\": \"2\", \"lr\": 0.1, \"name\": \"x\", \"sizes\": []}")).startsWith("'epochs': ");
        assertThat(problem("{\"epochs\": 2, \"lr\": \"\", \"name\": \"x\", \"sizes\": []}")).startsWith("'lr': ");
        assertThat(problem("{\"epochs\": null, \"lr\": 0.1, \"name\": \"x\", \"sizes\": []}")).startsWith("'epochs': ");
        assertThat(problem("{\"epochs\": 2, \"lr\": 0.1, \"name\": 3, \"sizes\": []}")).startsWith("'name': ");
        assertThat(problem("{\"epochs\": 2, \"lr\": 0.1, \"name\": \"x\", \"sizes\": [1, 2.5]}")).startsWith("'sizes[1]': ");
        assertThat(problem("{\"epochs\": 2, \"lr\": 0.1, \"name\": \"x\", \"sizes\": []} {}")).contains("Trailing token");
        assertThat(problem("{\"epochs\": 99999999999, \"lr\": 0.1, \"name\": \"x\", \"sizes\": []}")).startsWith("'epochs': ");
    }

    @Test
    void treesAreReadStrictly() {
        for (String bad : List.of("{\"a\": 1, \"a\": 2}", "{\"a\": NaN}", "{} {}", "{\"a\": 1,}", "{\"a\": \u0001}")) {
            assertThatThrownBy(() -> Json.TREE.readTree(bad)).as(bad).isInstanceOf(JacksonException.class)
                    .satisfies(e -> assertThat(Json.problem((JacksonException) e)).doesNotContain("\n", "\u0001"));
        }
        assertThat(Json.problem(catchThrowableOfType(JacksonException.class, () -> Json.TREE.readTree("{\"a\": 1, \"a\": 2}"))))
                .isEqualTo("'a': Duplicate field 'a' (line 1, column 13)");
    }

    @Test
    void readObjectNamesWhatIsWrong() {
        class Refused extends RuntimeException {
            Refused(String message) {
                super(message);
            }
        }
        assertThat(Json.readObject("{\"k\": [1]}".getBytes(StandardCharsets.UTF_8), "header", Refused::new).get("k").get(0).asInt())
                .isEqualTo(1);
        assertThatThrownBy(() -> Json.readObject(new byte[] {'"', (byte) 0xC3, '"'}, "header", Refused::new))
                .isInstanceOf(Refused.class).hasMessage("header is not valid UTF-8");
        assertThatThrownBy(() -> Json.readObject("[]".getBytes(StandardCharsets.UTF_8), "header", Refused::new))
                .hasMessage("header is not a JSON object");
        assertThatThrownBy(() -> Json.readObject(new byte[0], "header", Refused::new)).hasMessage("header is not a JSON object");
        assertThatThrownBy(() -> Json.readObject("{".getBytes(StandardCharsets.UTF_8), "header", Refused::new))
                .hasMessageStartingWith("header is not valid JSON: ").hasMessageNotContaining("\n");
    }

    @Test
    void filesAreIndentedLinesAreCompact() throws IOException {
        ObjectNode node = Json.object().put("a", 1);
        node.putArray("b").add(2);
        assertThat(Json.toFileText(node)).isEqualTo("{\n  \"a\" : 1,\n  \"b\" : [ 2 ]\n}\n");
        assertThat(Json.COMPACT.writeValueAsString(node)).isEqualTo("{\"a\":1,\"b\":[2]}");
        assertThat(Json.PRETTY.writeValueAsString(node) + "\n").isEqualTo(Json.toFileText(node));
    }
}
