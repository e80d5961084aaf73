package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoMessagesTest {

    @TempDir
    Path dir;

    @Test
    void reasonsAreWordsWithoutClassNames() {
        assertThat(IoMessages.reason(new AccessDeniedException("/x/y"))).isEqualTo("access denied");
        assertThat(IoMessages.reason(new DirectoryNotEmptyException("/x/y"))).isEqualTo("directory not empty");
        assertThat(IoMessages.reason(new FileSystemException("/x", null, "Read-only file system")))
                .isEqualTo("Read-only file system");
        assertThat(IoMessages.reason(new FileSystemException("/x"))).isEqualTo("I/O error");
        assertThat(IoMessages.reason(new EOFException())).isEqualTo("unexpected end of file");
        assertThat(IoMessages.reason(new ZipException("invalid block type"))).isEqualTo("invalid block type");
        assertThat(IoMessages.reason(new IOException("disk gone\nsecond line"))).isEqualTo("disk gone");
        assertThat(IoMessages.reason(new IOException())).isEqualTo("I/O error");
    }

    @Test
    void readingADirectoryAsAFileSaysSo() {
        try {
            Files.readAllBytes(dir);
        } catch (IOException e) {
            assertThat(IoMessages.reason(e)).isEqualTo("Is a directory").doesNotContain("Exception");
            return;
        }
        throw new AssertionError("reading a directory succeeded");
    }
}
