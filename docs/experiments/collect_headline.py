#!/usr/bin/env python3
"""Tables (and an SVG plot) of the headline sweep (docs/experiments/headline.sh).

Usage: collect_headline.py OUT [PLOT.svg]
For each run OUT/cnn-e20-sSEED: the full run's held-out and test accuracy, then every TWA result
RUN/twa/NAME with its held-out accuracy (val_acc of its final evaluation, read from the run's
metrics.jsonl; none for TWA-v, which trains on those images) and test accuracy, each minus the
full run's. Choose on the held-out column; the test column is reported, not chosen on.
The sweep's runs shared the machine with other work, so their times are not compared here: the
wall time of the chosen settings is measured apart, alone on the machine (headline.sh timed).
"""
import json
import pathlib
import sys


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def rows(run):
    metrics = lines(run / "metrics.jsonl")
    train = [m for m in metrics if m["phase"] == "train"]
    full = train[-1]
    finals = {m["name"]: m for m in metrics if m["phase"] == "twa-final"}
    out = []
    for result in sorted((run / "twa").glob("e*")):
        summary = json.loads((result / "summary.json").read_text())
        name = summary["name"]
        settings = summary["settings"]
        val = None if settings["train_on"] == "val" else finals.get(name, {}).get("val_acc")
        out.append({"name": name, "val": val, "test": summary["twa"]["test_acc"],
                    "average": (summary["average"] or {}).get("test_acc")})
    return full, out


def svg(results, path):
    names = sorted({r["name"] for _, rs in results for r in rs})
    width, height, left, bar = 760, 40 + 22 * len(names), 190, 8
    scale = 2000  # pixels per unit of accuracy: 1 point = 20 px
    zero = left + 300
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<text x="10" y="16">held-out accuracy minus the full run\'s (points); seed 1 blue, seed 2 orange</text>',
             f'<line x1="{zero}" y1="24" x2="{zero}" y2="{height}" stroke="black"/>']
    for i, name in enumerate(names):
        y = 34 + 22 * i
        parts.append(f'<text x="10" y="{y + 8}">{name}</text>')
        for k, (full, rs) in enumerate(results):
            r = next((r for r in rs if r["name"] == name), None)
            if r is None or r["val"] is None:
                continue
            gap = r["val"] - full["val_acc"]
            x = zero + min(0, gap) * scale
            colour = ["#1f77b4", "#ff7f0e"][k % 2]
            parts.append(f'<rect x="{x:.1f}" y="{y + k * bar}" width="{abs(gap) * scale:.1f}" height="{bar}" fill="{colour}"/>')
            parts.append(f'<text x="{zero + 250}" y="{y + k * bar + 8}">{100 * gap:+.2f}</text>')
    parts.append("</svg>")
    pathlib.Path(path).write_text("\n".join(parts) + "\n")


def main(out, plot=None):
    results = []
    for run in sorted(pathlib.Path(out).glob("cnn-e20-s*")):
        full, rs = rows(run)
        results.append((full, rs))
        print(f"\n{run.name}: full run val {full['val_acc']:.4f} test {full['test_acc']:.4f}\n")
        print("| TWA | held-out acc | − full | test acc | − full | average + BN (test) |")
        print("|---|---|---|---|---|---|")
        for r in rs:
            val = "—" if r["val"] is None else f"{r['val']:.4f} | {100 * (r['val'] - full['val_acc']):+.2f}"
            if r["val"] is None:
                val = "— (trained on it) | —"
            average = "—" if r["average"] is None else f"{r['average']:.4f}"
            print(f"| {r['name']} | {val} | {r['test']:.4f} | {100 * (r['test'] - full['test_acc']):+.2f} | {average} |")
    if plot:
        svg(results, plot)


if __name__ == "__main__":
    main(*sys.argv[1:])
