package io.twa4j.run.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch reference definitions ({@code io/twa4j/run/peer/reference_models.py}, a main
 * resource: {@code bench --peer} builds its models from it too) with the interpreter
 * named by {@code TWA4J_TORCH_PYTHON}, else {@code python3}.
 */
final class TorchPython {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchPython() {}

    /** The interpreter the tests use. */
    static String interpreter() {
        String named = System.getenv("TWA4J_TORCH_PYTHON");
        return named == null || named.isBlank() ? "python3" : named;
    }

    /** Why the reference models cannot run here, or null when {@code import torch, safetensors} works. */
    static String unavailable() {
        try {
            Result r = run(List.of("-c", "import torch, safetensors; print(torch.__version__)"));
            return r.exit == 0 ? null : interpreter() + " cannot import torch and safetensors (set TWA4J_TORCH_PYTHON to a"
                    + " Python that can, e.g. after pip install torch safetensors): " + r.output.strip();
        } catch (IOException e) {
            return "no Python at " + interpreter() + " (set TWA4J_TORCH_PYTHON): " + e.getMessage();
        }
    }

    /** Runs {@code reference_models.py} with {@code args}; its one JSON line, or an AssertionError with its output. */
    static JsonNode reference(String... args) throws IOException {
        return script("/io/twa4j/run/peer/reference_models.py", args);
    }

    /** Why {@code module} cannot be imported here, or null when it can. */
    static String lacks(String module) {
        try {
            Result r = run(List.of("-c", "import " + module));
            return r.exit == 0 ? null : interpreter() + " cannot import " + module + ": " + r.output.strip();
        } catch (IOException e) {
            return "no Python at " + interpreter() + " (set TWA4J_TORCH_PYTHON): " + e.getMessage();
        }
    }

    /** Runs the test resource {@code interop/NAME} (or the resource at an absolute NAME) with {@code args}; its last line as JSON, or an AssertionError with its output. */
    static JsonNode script(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(resource(name).toString());
        command.addAll(List.of(args));
        Result r = run(command);
        if (r.exit != 0) {
            throw new AssertionError(name + " " + String.join(" ", args) + " failed: " + r.output);
        }
        String[] lines = r.output.strip().split("\\R");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static Path resource(String name) {
        try {
            return Path.of(TorchPython.class.getResource(name.startsWith("/") ? name : "/interop/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(interpreter());
        command.addAll(args);
        Path output = Files.createTempFile("twa4j-torch", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(interpreter() + " did not finish within 120 s");
            }
            return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
