package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class FileDigestTest {

    private static final String SHA = "0123456789abcdef".repeat(4);

    private static FileDigest from(String json, String where) throws Exception {
        return FileDigest.from(Json.TREE.readTree(json), where, IllegalStateException::new);
    }

    @Test
    void putIntoWritesBytesThenSha256AndFromReadsThemBack() throws Exception {
        FileDigest digest = new FileDigest(1234, SHA);
        ObjectNode node = Json.object().put("file", "a.bin");
        assertThat(digest.putInto(node)).isSameAs(node);
        assertThat(Json.COMPACT.writeValueAsString(node)).isEqualTo("{\"file\":\"a.bin\",\"bytes\":1234,\"sha256\":\"" + SHA + "\"}");
        assertThat(FileDigest.from(node, "x", IllegalStateException::new)).isEqualTo(digest);
    }

    @Test
    void fromNamesTheEntryAndTheKey() {
        assertThatThrownBy(() -> from("{\"sha256\": \"" + SHA + "\"}", "files['a']"))
                .isInstanceOf(IllegalStateException.class).hasMessage("files['a'] has no 'bytes'");
        assertThatThrownBy(() -> from("{\"bytes\": 1}", "snapshots[2]")).hasMessage("snapshots[2] has no 'sha256'");
        assertThatThrownBy(() -> from("{\"bytes\": -1, \"sha256\": \"" + SHA + "\"}", "snapshots[2]"))
                .hasMessage("snapshots[2].bytes must be a non-negative integer, not -1");
        assertThatThrownBy(() -> from("{\"bytes\": 1.5, \"sha256\": \"" + SHA + "\"}", ""))
                .hasMessage("'bytes' must be a non-negative integer, not 1.5");
        assertThatThrownBy(() -> from("{\"bytes\": 99999999999999999999, \"sha256\": \"" + SHA + "\"}", ""))
                .hasMessageStartingWith("'bytes' must be a non-negative integer");
        assertThatThrownBy(() -> from("{\"bytes\": 1}", "")).hasMessage("'sha256' is missing");
        assertThatThrownBy(() -> from("{\"bytes\": 1, \"sha256\": \"" + SHA.toUpperCase() + "\"}", "e"))
                .hasMessage("e.sha256 must be 64 lower-case hex digits, not \"" + SHA.toUpperCase() + "\"");
        assertThatThrownBy(() -> from("{\"bytes\": 1, \"sha256\": \"" + SHA + SHA + "\"}", "e"))
                .hasMessage("e.sha256 must be 64 lower-case hex digits, not \"" + (SHA + SHA).substring(0, 76) + "...");
        assertThatThrownBy(() -> from("{\"bytes\": 1, \"sha256\": null}", "e")).hasMessage("e.sha256 must be 64 lower-case hex digits, not null");
    }
}
