#!/usr/bin/env python3
"""Tables (and an SVG plot) of the headline sweep (docs/experiments/headline.sh).

Usage: collect_headline.py OUT [PLOT.svg]
For each run OUT/MODEL-e20-sSEED: the full run's held-out and test accuracy, then every TWA result
RUN/twa/NAME with its held-out accuracy (val_acc of its final evaluation, read from the run's
metrics.jsonl; none for TWA-v, which trains on those images) and test accuracy, each minus the
full run's. Choose on the held-out column; the test column is reported, not chosen on.

"time" is (the run's epochs up to the last snapshot used + TWA without its optional average
baseline) / the full run, from the recorded seconds: the sweep ran one job at a time, but the
wall time of the chosen settings is measured apart, in one process (headline.sh timed).
"""
import json
import pathlib
import sys


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def rows(run):
    config = json.loads((run / "run.json").read_text())
    metrics = lines(run / "metrics.jsonl")
    train = [m for m in metrics if m["phase"] == "train"]
    full = dict(train[-1], seconds=sum(m["seconds"] for m in train))
    finals = {m["name"]: m for m in metrics if m["phase"] == "twa-final"}
    out = []
    for result in sorted((run / "twa").glob("e*")):
        summary = json.loads((result / "summary.json").read_text())
        name = summary["name"]
        settings = summary["settings"]
        val = None if settings["train_on"] == "val" else finals.get(name, {}).get("val_acc")
        last_epoch = max(summary["snapshots"]) / config["snapshots_per_epoch"]
        head = sum(m["seconds"] for m in train if m["epoch"] <= last_epoch)
        twa = summary["seconds"] - summary["seconds_split"].get("baseline", 0)
        out.append({"name": name, "val": val, "test": summary["twa"]["test_acc"], "epochs": settings["epochs"],
                    "head": last_epoch, "time": (head + twa) / full["seconds"],
                    "average": (summary["average"] or {}).get("test_acc")})
    return full, out


def svg(results, path):
    """Two panels, held-out and test: one bar per (model, settings) and seed, TWA minus the full run."""
    labels = []
    for run, _, rs in results:
        model = run.name.rsplit("-e20-", 1)[0]
        labels += [f"{model} {r['name']}" for r in rs if f"{model} {r['name']}" not in labels]
    px, low, high, left, bar = 40, -5, 2, 200, 6  # 1 point = 40 px; each panel spans [low, high] points
    panel = (high - low) * px + 40
    width, height = left + 2 * panel, 60 + 22 * len(labels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             '<text x="10" y="16">TWA minus the full run, accuracy points (seeds 1, 2 blue, orange; seed 3, the verification, green; bars cut at -5 end in &lt;)</text>']
    for p, (key, title) in enumerate([("val", "held-out (chosen on)"), ("test", "test (reported)")]):
        zero = left + p * panel - low * px
        parts.append(f'<text x="{zero - 40}" y="34">{title}</text>')
        for tick in range(low, high + 1):
            x = zero + tick * px
            parts.append(f'<line x1="{x}" y1="40" x2="{x}" y2="{height - 12}" stroke="{"black" if tick == 0 else "#ddd"}"/>')
            parts.append(f'<text x="{x - 6}" y="{height - 2}" fill="#666">{tick:+d}</text>')
        for i, label in enumerate(labels):
            y = 44 + 22 * i
            if p == 0:
                parts.append(f'<text x="10" y="{y + 10}">{label}</text>')
            for run, full, rs in results:
                model, seed = run.name.rsplit("-e20-s", 1)
                r = next((r for r in rs if f"{model} {r['name']}" == label), None)
                if r is None or r[key] is None:
                    continue
                k = (int(seed) - 1) % 3
                measured = 100 * (r[key] - full[f"{key}_acc"])
                gap = max(low, min(high, measured))
                x = zero + min(0, gap) * px
                colour = ["#1f77b4", "#ff7f0e", "#2ca02c"][k]
                parts.append(f'<rect x="{x:.1f}" y="{y + k * bar}" width="{abs(gap) * px:.1f}" height="{bar}" fill="{colour}"/>')
                if measured < low:
                    parts.append(f'<text x="{x - 9:.1f}" y="{y + k * bar + 6}" font-size="9">&lt;</text>')
    parts.append("</svg>")
    pathlib.Path(path).write_text("\n".join(parts) + "\n")


def main(out, plot=None):
    results = []
    for run in sorted(pathlib.Path(out).glob("*-e20-s*")):
        if not (run / "twa").is_dir():
            continue
        full, rs = rows(run)
        results.append((run, full, rs))
        print(f"\n{run.name}: full run val {full['val_acc']:.4f} test {full['test_acc']:.4f}, {full['seconds']:.0f} s\n")
        print("| TWA | from epoch | TWA epochs | held-out acc | − full | test acc | − full | average + BN (test) | time vs full |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rs:
            if r["val"] is None:
                val = "— (trained on it) | —"
            else:
                val = f"{r['val']:.4f} | {100 * (r['val'] - full['val_acc']):+.2f}"
            average = "—" if r["average"] is None else f"{r['average']:.4f}"
            print(f"| {r['name']} | {r['head']:g} | {r['epochs']} | {val} | {r['test']:.4f} | "
                  f"{100 * (r['test'] - full['test_acc']):+.2f} | {average} | {100 * r['time']:.0f}% |")
    if plot:
        svg(results, plot)


if __name__ == "__main__":
    main(*sys.argv[1:])
