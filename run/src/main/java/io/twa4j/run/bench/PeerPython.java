package io.twa4j.run.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.io.Json;
import io.twa4j.run.RunError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Python interpreter that runs PyTorch's side of {@link PeerBench} ({@code peer.py}, a
 * resource beside {@code reference_models.py}), or why there is none.
 *
 * @param interpreter the interpreter's path or name
 * @param version torch's version, or null when it cannot be imported
 * @param missing why PyTorch's side cannot run, or null when it can
 */
record PeerPython(String interpreter, String version, String missing) {

    private static final String RESOURCES = "/io/twa4j/run/peer/";
    private static final long TIMEOUT_MINUTES = 60;

    /** {@code named}, else {@code TWA4J_TORCH_PYTHON}, else {@code python3}; asks it for torch's version. */
    static PeerPython find(String named) {
        String env = System.getenv("TWA4J_TORCH_PYTHON");
        String interpreter = named != null ? named : env != null && !env.isBlank() ? env : "python3";
        try {
            Process process = new ProcessBuilder(interpreter, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                String last = output.isEmpty() ? "" : output.lines().reduce((a, b) -> b).orElse("");
                return new PeerPython(interpreter, null, interpreter + " cannot import torch (" + last
                        + "); install it: pip install 'torch==2.13.0+cpu', and name the interpreter with --python or TWA4J_TORCH_PYTHON");
            }
            return new PeerPython(interpreter, output.lines().reduce((a, b) -> b).orElse(output), null);
        } catch (IOException e) {
            return new PeerPython(interpreter, null, "no Python at " + interpreter + " (--python or TWA4J_TORCH_PYTHON names one): "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PeerPython(interpreter, null, "interrupted while asking " + interpreter + " for torch");
        }
    }

    /** The engine's intra-op threads, as the launcher set them (else the cores). */
    static int engineThreads() {
        String threads = System.getProperty("ai.djl.pytorch.num_threads");
        return threads == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads.strip());
    }

    /**
     * Runs {@code peer.py} on {@code spec} in a temporary folder, removed afterwards, with the
     * epochs' batch orders (or null) in a file named by the spec's {@code order}; its JSON result.
     *
     * @throws RunError when the script fails, naming its last line of output
     */
    Map<String, Object> run(Map<String, Object> spec, int[] order) {
        Path folder = null;
        try {
            folder = Files.createTempDirectory("twa4j-peer-");
            for (String name : List.of("peer.py", "reference_models.py")) {
                try (InputStream in = PeerPython.class.getResourceAsStream(RESOURCES + name)) {
                    Files.copy(in, folder.resolve(name));
                }
            }
            Map<String, Object> full = new LinkedHashMap<>(spec);
            if (order != null) {
                ByteBuffer bytes = ByteBuffer.allocate(4 * order.length).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asIntBuffer().put(order);
                Files.write(folder.resolve("order.bin"), bytes.array());
                full.put("order", folder.resolve("order.bin").toString());
            }
            Files.writeString(folder.resolve("spec.json"), Json.COMPACT.writeValueAsString(full));
            return new ObjectMapper().convertValue(Json.TREE.readTree(execute(folder)), new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(folder);
        }
    }

    /** The last line of {@code peer.py}'s output; its stderr goes to ours. */
    private String execute(Path folder) throws IOException {
        Process process = new ProcessBuilder(interpreter, folder.resolve("peer.py").toString(), folder.resolve("spec.json").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw RunError.input("PyTorch's side of bench --peer ran past " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw RunError.input("interrupted while PyTorch's side of bench --peer ran");
        }
        String last = output.isEmpty() ? "" : output.lines().reduce((a, b) -> b).orElse("");
        if (process.exitValue() != 0 || !last.startsWith("{")) {
            throw RunError.input("PyTorch's side of bench --peer failed (exit " + process.exitValue() + "): " + last);
        }
        return last;
    }

    private static void delete(Path folder) {
        if (folder == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
