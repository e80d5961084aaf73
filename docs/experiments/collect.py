#!/usr/bin/env python3
"""Summarise head-stage runs (docs/experiments/head-stage.sh) as a Markdown table.

Usage: collect.py RUN_DIR [RUN_DIR ...]
For each run: SGD over the full budget, SGD at the head stage's end, and for each TWA result
(RUN/twa/first-1-K) the average of the snapshots (+BN update) and TWA (+BN update), with wall
times: SGD time is the sum of its epochs' seconds (evaluation included), TWA time is the head
stage's epochs plus everything `twa` measured (basis, BN updates, training, evaluations).
"""
import json
import pathlib
import sys


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(runs):
    print("| run | method | epochs | test acc | wall s | time vs full |")
    print("|---|---|---|---|---|---|")
    for run in map(pathlib.Path, runs):
        config = json.loads((run / "run.json").read_text())
        train = [m for m in lines(run / "metrics.jsonl") if m["phase"] == "train"]
        full_time = sum(m["seconds"] for m in train)
        epochs = config["epochs"]
        name = f"{config['model']} seed {config['seed']}"
        print(f"| {name} | SGD, full budget | {epochs} | {train[-1]['test_acc']:.4f} | {full_time:.0f} | 100% |")
        for result in sorted((run / "twa").glob("first-1-*")):
            summary = json.loads((result / "summary.json").read_text())
            head = summary["settings"]["params_end"] - 1
            head_time = sum(m["seconds"] for m in train[:head])
            twa_time = head_time + summary["seconds"]
            twa_epochs = summary["settings"]["epochs"]
            print(f"| {name} | SGD, first {head} epochs | {head} | {train[head - 1]['test_acc']:.4f} | {head_time:.0f} |"
                  f" {100 * head_time / full_time:.0f}% |")
            print(f"| {name} | average of snapshots 0..{head} + BN | {head} | {summary['average']['test_acc']:.4f} | — | — |")
            print(f"| {name} | **TWA on snapshots 0..{head}** | {head}+{twa_epochs} | **{summary['twa']['test_acc']:.4f}** |"
                  f" {twa_time:.0f} | {100 * twa_time / full_time:.0f}% |")


if __name__ == "__main__":
    main(sys.argv[1:])
