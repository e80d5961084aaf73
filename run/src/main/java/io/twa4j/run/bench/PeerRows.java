package io.twa4j.run.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The rows of {@link PeerBench}'s report, from the two sides' figures (the same keys on both). */
final class PeerRows {

    private final Map<String, Object> ours;
    private final Map<String, Object> theirs;
    private final List<PeerBench.Row> rows = new ArrayList<>();

    private PeerRows(Map<String, Object> ours, Map<String, Object> theirs) {
        this.ours = ours;
        this.theirs = theirs;
    }

    /** The rows: epoch, steps, TWA step, BN pass, evaluation, each with its peak memory (those twa4j measured). */
    static List<PeerBench.Row> of(Map<String, Object> ours, Map<String, Object> theirs, int n) {
        PeerRows table = new PeerRows(ours, theirs);
        for (int e = 0; e < PeerBench.EPOCHS; e++) {
            if (number(ours, "epochs", String.valueOf(e), "train_s") == null) {
                break;
            }
            String epoch = "cnn epoch " + (e + 1) + (e == 0 ? " (warm-up)" : "") + ": ";
            int first = table.rows.size();
            table.add(epoch + "training", "s", "epochs", String.valueOf(e), "train_s");
            table.add(epoch + "evaluation", "s", "epochs", String.valueOf(e), "eval_s");
            table.rows.add(sum(table.rows.get(first), table.rows.get(first + 1), epoch + "both"));
            table.add(epoch + "test accuracy", "", "epochs", String.valueOf(e), "test_acc");
            table.add(epoch + "peak memory", "MiB", "epochs", String.valueOf(e), "peak_rss_mib");
        }
        for (PeerBench.StepModel step : PeerBench.STEP_MODELS) {
            String model = step.name();
            String shape = step.input().toString();
            table.add(model + " " + shape + " step", "ms", "steps", model, "step_ms");
            table.add(model + " forward/backward", "ms", "steps", model, "forward_backward_ms");
            table.add(model + " SGD update", "ms", "steps", model, "update_ms");
            table.add(model + " steps: peak memory", "MiB", "steps", model, "peak_rss_mib");
        }
        table.add("cnn TWA step (n = " + n + ")", "ms", "twa", "step_ms");
        table.add("cnn TWA forward/backward", "ms", "twa", "forward_backward_ms");
        table.add("cnn TWA update (P g, Pt a)", "ms", "twa", "update_ms");
        table.add("cnn TWA loop: peak memory", "MiB", "twa", "peak_rss_mib");
        if (ours.containsKey("bn_pass")) {
            table.add("cnn BatchNorm update pass", "s", "bn_pass", "seconds");
            table.add("cnn evaluation (test set)", "s", "eval", "seconds");
        }
        return table.rows;
    }

    private void add(String figure, String unit, String... path) {
        rows.add(new PeerBench.Row(figure, unit, number(ours, path), number(theirs, path)));
    }

    private static PeerBench.Row sum(PeerBench.Row a, PeerBench.Row b, String figure) {
        return new PeerBench.Row(figure, a.unit(), plus(a.twa4j(), b.twa4j()), plus(a.pytorch(), b.pytorch()));
    }

    private static Double plus(Double a, Double b) {
        return a == null || b == null ? null : a + b;
    }

    /** The number at {@code path} in nested maps and lists (an index for a list), or null where any part is absent. */
    static Double number(Map<String, Object> figures, String... path) {
        Object at = figures;
        for (String key : path) {
            if (at instanceof List<?> list && key.matches("\\d+") && Integer.parseInt(key) < list.size()) {
                at = list.get(Integer.parseInt(key));
            } else if (at instanceof Map<?, ?> map && map.containsKey(key)) {
                at = map.get(key);
            } else {
                return null;
            }
        }
        return at instanceof Number number ? number.doubleValue() : null;
    }
}
