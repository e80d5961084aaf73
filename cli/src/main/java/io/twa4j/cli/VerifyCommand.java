package io.twa4j.cli;

import io.twa4j.run.RunLock;
import io.twa4j.run.check.RunVerifier;
import io.twa4j.core.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
            "Takes no lock; when a command holds the run's lock (RUN/lock), says so",
            "first and lists what a write in progress leaves (temporary and unlisted",
            "files, bookkeeping files not written yet, a cut last metrics line, a state",
            "being replaced) as \"in progress\", not as problems.",
            "Exit code 0: the run is intact (so far, while in use); 3: problems."})
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory.")
    Path run;

    @Option(names = "--json", description = "Print one JSON object (ok, problems with file, index, kind and message, counts;"
            + " in_use: the lock's holder or null; in_progress: as problems).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RunVerifier.Report report = RunVerifier.verify(run);
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(asJson(report)));
        } else {
            if (report.writer() != null) {
                System.out.println(inUse(report));
            }
            for (RunVerifier.Problem problem : report.problems()) {
                System.out.println(problem.message());
            }
            for (RunVerifier.Problem problem : report.inProgress()) {
                System.out.println("in progress: " + problem.message());
            }
            System.out.println(summary(report));
        }
        return report.ok() ? ExitCode.OK : ExitCode.BAD_INPUT;
    }

    /** "run R is in use by `twa4j train` (pid 1234 on host h, since 21:45:02) — files may be mid-write; ...". */
    static String inUse(RunVerifier.Report report) {
        return "run " + report.run() + " is in use by " + report.writer().describe() + " — files may be mid-write: what a write"
                + " in progress leaves is listed as in progress, not as a problem; verify again once it has finished";
    }

    /** "run R is intact: ..." or "run R: 3 problems; ..." (and "; 2 in progress" while in use). */
    static String summary(RunVerifier.Report report) {
        String checked = String.format(Locale.ROOT, "%s, %s and %s check out",
                count(report.metricsLines(), "metrics line"), count(report.snapshots(), "snapshot"),
                count(report.results(), "result file"));
        String pending = report.inProgress().isEmpty() ? "" : "; " + report.inProgress().size() + " in progress";
        String intact = report.writer() == null ? " is intact: " : " is in use, no problem so far: ";
        return report.ok()
                ? "run " + report.run() + intact + checked + pending
                : "run " + report.run() + ": " + count(report.problems().size(), "problem") + "; " + checked + pending;
    }

    private static Map<String, Object> asJson(RunVerifier.Report report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", report.run().toString());
        out.put("ok", report.ok());
        RunLock.Holder writer = report.writer();
        Map<String, Object> inUse = null;
        if (writer != null) {
            inUse = new LinkedHashMap<>();
            inUse.put("command", writer.pid() < 0 ? null : writer.command());
            inUse.put("pid", writer.pid() < 0 ? null : writer.pid());
            inUse.put("host", writer.pid() < 0 ? null : writer.host());
            inUse.put("started", writer.pid() < 0 ? null : writer.started().toString());
        }
        out.put("in_use", inUse);
        out.put("problems", report.problems().stream().map(VerifyCommand::asJson).toList());
        out.put("in_progress", report.inProgress().stream().map(VerifyCommand::asJson).toList());
        Map<String, Object> checked = new LinkedHashMap<>();
        checked.put("metrics_lines", report.metricsLines());
        checked.put("snapshots", report.snapshots());
        checked.put("results", report.results());
        out.put("checked", checked);
        return out;
    }

    private static Map<String, Object> asJson(RunVerifier.Problem p) {
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
        return entry;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
