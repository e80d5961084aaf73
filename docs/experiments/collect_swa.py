#!/usr/bin/env python3
"""Summarise the SWA comparison (docs/experiments/swa-tail.sh) as a Markdown table.

Usage: collect_swa.py DIR   (the directory the script ran in)
For each run: SGD's last epoch, the SWA average (+BN update) and, where present, the EMA (averaged
BatchNorm statistics, and recomputed) and TWA on the SWA-phase snapshots (+BN update). Wall
times: the sum of the training epochs' seconds, plus the SWA evaluations, plus everything `twa`
measured.
"""
import json
import pathlib
import sys


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(directory):
    root = pathlib.Path(directory)
    print("| run | SGD (last iterate) | SWA + BN | TWA on SWA snapshots + BN | EMA (avg. BN / recomputed BN) | train s | SWA evals s | TWA s |")
    print("|---|---|---|---|---|---|---|---|")
    for run in sorted(p for p in root.iterdir() if (p / "metrics.jsonl").exists() and p.name != "s"):
        config = json.loads((run / "run.json").read_text())
        metrics = lines(run / "metrics.jsonl")
        train = [m for m in metrics if m["phase"] == "train"]
        if len(train) < config["epochs"]:
            continue  # still running
        swa = [m for m in metrics if m["phase"] == "swa"]
        ema = [m for m in metrics if m["phase"] == "ema"]
        twa = sorted((run / "twa").glob("*/summary.json")) if (run / "twa").exists() else []
        swa_cfg = config.get("swa") or {}
        label = f"{run.name}: swa-start {swa_cfg.get('start')}, swa-lr {swa_cfg.get('lr')}, seed {config['seed']}"
        swa_acc = f"{swa[-1]['test_acc']:.4f}" if swa else "—"
        ema_acc = f"{ema[-1]['test_acc']:.4f} / {ema[-1].get('test_acc_bn_update', float('nan')):.4f}" if ema else "—"
        twa_acc, twa_s = "—", 0.0
        if twa:
            summary = json.loads(twa[-1].read_text())
            twa_acc = f"{summary['twa']['test_acc']:.4f}"
            twa_s = summary["seconds"]
        print(f"| {label} | {train[-1]['test_acc']:.4f} | {swa_acc} | {twa_acc} | {ema_acc} | "
              f"{sum(m['seconds'] for m in train):.0f} | {sum(m['seconds'] for m in swa):.0f} | {twa_s:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
