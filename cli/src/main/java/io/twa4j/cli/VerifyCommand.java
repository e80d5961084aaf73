package io.twa4j.cli;

import io.twa4j.run.check.RunVerifier;
import io.twa4j.core.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j verify}: checks a whole run and lists every problem. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a whole run and list every problem.",
            "",
            "Checks run.json and every line of metrics.jsonl; every snapshot and result",
            "file against its manifest (size, SHA-256, header, the model's parameter names",
            "and shapes); files that no manifest lists; leftover temporary files of an",
            "interrupted write. Prints one line per problem, then a summary.",
            "Exit code 0: the run is intact; 3: problems."})
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory.")
    Path run;

    @Option(names = "--json", description = "Print one JSON object (ok, problems with file, index, kind and message, counts).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunVerifier.Report report = RunVerifier.verify(run);
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(asJson(report)));
        } else {
            for (RunVerifier.Problem problem : report.problems()) {
                System.out.println(problem.message());
            }
            System.out.println(summary(report));
        }
        return report.ok() ? ExitCode.OK : ExitCode.BAD_INPUT;
    }

    /** "run R is intact: ..." or "run R: 3 problems; ...". */
    static String summary(RunVerifier.Report report) {
        String checked = String.format(Locale.ROOT, "%s, %s and %s check out",
                count(report.metricsLines(), "metrics line"), count(report.snapshots(), "snapshot"),
                count(report.results(), "result file"));
        return report.ok()
                ? "run " + report.run() + " is intact: " + checked
                : "run " + report.run() + ": " + count(report.problems().size(), "problem") + "; " + checked;
    }

    private static Map<String, Object> asJson(RunVerifier.Report report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", report.run().toString());
        out.put("ok", report.ok());
        List<Map<String, Object>> problems = new ArrayList<>();
        for (RunVerifier.Problem p : report.problems()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", p.file());
            if (p.index() != null) {
                entry.put("index", p.index());
            }
            if (p.line() != null) {
                entry.put("line", p.line());
            }
            entry.put("kind", p.kind().name().toLowerCase(Locale.ROOT));
            entry.put("message", p.message());
            problems.add(entry);
        }
        out.put("problems", problems);
        Map<String, Object> checked = new LinkedHashMap<>();
        checked.put("metrics_lines", report.metricsLines());
        checked.put("snapshots", report.snapshots());
        checked.put("results", report.results());
        out.put("checked", checked);
        return out;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
