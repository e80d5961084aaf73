package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written elsewhere, from the command line: {@code twa --snapshots-dir} imports a
 * folder of them into a run and runs TWA (a second TWA on the same folder reuses the import), and a
 * {@code .pt} whose pickle calls {@code os.system} is refused by {@code eval --weights} before anything runs.
 */
class ForeignCheckpointsTest {

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void train() {
        run = TinyRun.train(temp.resolve("run"));
    }

    @Test
    void twaOnAFolderOfCheckpointsImportsThemFirst() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("ckpts"));
        for (int i = 0; i < 3; i++) {
            CliRunner.Result exported = CliRunner.run("export", "--run", run.toString(), "--snapshot", Integer.toString(i),
                    "--out", folder.resolve("ckpt-" + i + ".safetensors").toString());
            assertThat(exported.exitCode()).as(exported.err()).isZero();
        }
        Path imported = temp.resolve("imported");
        String[] twa = {"twa", "--run", imported.toString(), "--snapshots-dir", folder.toString(), "--pattern", "ckpt-{i}.safetensors",
            "--model", "cnn", "--data", "synthetic", "--epochs", "1", "--lr", "0.5", "--device", "cpu"};
        CliRunner.Result first = CliRunner.run(twa);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 3 checkpoints");
        assertThat(imported.resolve("snapshots/000002.safetensors")).exists();
        assertThat(imported.resolve("twa/p0-3/weights.safetensors")).exists();

        String[] again = java.util.Arrays.copyOf(twa, twa.length + 2);
        again[twa.length] = "--name";
        again[twa.length + 1] = "second";
        CliRunner.Result second = CliRunner.run(again);
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).doesNotContain("imported 3 checkpoints");
        assertThat(CliRunner.run("verify", "--run", imported.toString()).exitCode()).isZero();

        CliRunner.Result ownSnapshots = CliRunner.run("import", "--run", temp.resolve("own").toString(), "--snapshots-dir", run.resolve("snapshots")
                .toString(), "--pattern", "00000{i}.safetensors", "--data", "synthetic", "--device", "cpu");
        assertThat(ownSnapshots.exitCode()).as(ownSnapshots.err()).isZero(); // a run's own snapshot folder is a folder of checkpoints too
    }

    @Test
    void aPickleThatCallsOsSystemIsRefusedAndNothingRuns() throws IOException {
        Path marker = temp.resolve("pwned");
        Path evil = temp.resolve("evil.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(systemCall("touch " + marker));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        CliRunner.Result result = CliRunner.run("eval", "--run", run.toString(), "--weights", evil.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.err()).contains("posix.system").contains("not allowed").hasLineCount(1);
        assertThat(marker).doesNotExist();
    }

    /** Protocol 2 pickle of {@code posix.system(command)}: what {@code pickle.dumps} writes for {@code os.system}'s reduce. */
    private static byte[] systemCall(String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x80, 2});
        out.write("cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        byte[] text = command.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        writeLittleEndian(out, text.length);
        out.write(text);
        out.write(0x85); // TUPLE1
        out.write('R'); // REDUCE
        out.write('.'); // STOP
        return out.toByteArray();
    }

    private static void writeLittleEndian(OutputStream out, int value) throws IOException {
        for (int i = 0; i < 4; i++) {
            out.write(value >>> (8 * i) & 0xFF);
        }
    }
}
