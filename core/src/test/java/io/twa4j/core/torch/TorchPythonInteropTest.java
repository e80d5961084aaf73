package io.twa4j.core.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A state_dict freshly saved by the installed PyTorch reads to exactly its values. Runs the Python
 * named by {@code TWA4J_TORCH_PYTHON} (else {@code python3}); skipped, with the reason, where it
 * cannot {@code import torch}.
 */
class TorchPythonInteropTest {

    /** Saves a seeded state_dict (argv: file, seed, form) with torch.save and prints its tensors as JSON. */
    private static final String SAVE = String.join("\n",
            "import json, sys, torch",
            "from torch import nn",
            "file, seed, form = sys.argv[1], int(sys.argv[2]), sys.argv[3]",
            "torch.manual_seed(seed)",
            "model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(16, 5))",
            "model.train(); model(torch.randn(2, 3, 4, 4))",
            "opt = torch.optim.Adam(model.parameters())",
            "if form == 'checkpoint':  # before the state_dict is recorded: it shares the parameters' memory",
            "    model.eval(); model(torch.randn(2, 3, 4, 4)).sum().backward(); opt.step()",
            "sd = model.state_dict()",
            "sd['extra.half'] = torch.randn(3, 2).half().t()",
            "sd['extra.bf16'] = torch.randn(5).to(torch.bfloat16)[1::2]",
            "sd['extra.f64'] = torch.randn(2, 3, dtype=torch.float64)",
            "out = []",
            "for k, t in sd.items():",
            "    c = t.contiguous()",
            "    v = c.double().flatten().tolist() if c.is_floating_point() else c.flatten().tolist()",
            "    out.append({'name': k, 'dtype': str(t.dtype), 'shape': list(t.shape), 'values': v})",
            "if form == 'checkpoint':",
            "    torch.save({'epoch': seed, 'state_dict': sd, 'optimizer': opt.state_dict()}, file)",
            "else:",
            "    torch.save(sd, file)",
            "print(json.dumps(out))");

    private static String python;
    private static String unavailable;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTorch() {
        String env = System.getenv("TWA4J_TORCH_PYTHON");
        python = env != null && !env.isBlank() ? env : "python3";
        try {
            Result r = run(List.of("-c", "import torch; print(torch.__version__)"));
            unavailable = r.exit == 0 ? null : python + " cannot import torch (set TWA4J_TORCH_PYTHON to a Python "
                    + "with PyTorch): " + lastLine(r.output);
        } catch (IOException e) {
            unavailable = "no " + python + ": " + e.getMessage();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"state_dict", "checkpoint"})
    void aStateDictSavedByTorchReadsToExactlyItsValues(String form) throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        Path file = dir.resolve(form + ".pt");
        Result r = run(List.of("-c", SAVE, file.toString(), "17", form));
        assertThat(r.exit).as(r.output).isZero();
        JsonNode expected = new ObjectMapper().readTree(lastLine(r.output));
        TorchStateDict sd = TorchFiles.readStateDict(file);
        TorchFilesTest.assertSameTensors(sd, expected);
        assertThat(sd.tensors().get("1.num_batches_tracked").toLongArray()).containsExactly(1L);
        if (form.equals("checkpoint")) {
            assertThat(sd.extras().get("epoch")).isEqualTo(17L);
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(python + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }
}
