#!/usr/bin/env bash
# Model soups on real Fashion-MNIST: pre-train cnn with a held-out tenth of the training set, fine-tune
# ingredients from it with different learning rates, seeds and augmentation, then every soup method.
# Usage: docs/experiments/soups.sh OUT_DIR [TRAIN_LIMIT]   (prints the table at the end)
set -euo pipefail
out=$1 limit=${2:-60000}
twa4j="${TWA4J:-./twa4j}"
cd "$(dirname "$0")/../.."
data=(--data fashion-mnist --train-limit "$limit" --val-ratio 0.1)   # every run holds out the same images
"$twa4j" train "${data[@]}" --model cnn --epochs 2 --lr 0.05 --seed 1 --run "$out/pre" --overwrite
ingredients=()
i=0
for config in "0.02 1 --no-augment" "0.01 2 --no-augment" "0.005 3 --no-augment" "0.02 4 --augment" "0.01 5 --augment"; do
  set -- $config
  i=$((i + 1))
  "$twa4j" finetune "${data[@]}" --model cnn --from "$out/pre:2" --epochs 1 --lr "$1" --seed "$2" --schedule constant "$3" \
    --run "$out/ft$i" --overwrite
  ingredients+=("$out/ft$i:1")
done
rm -rf "$out/soups"
for method in uniform greedy learned; do
  "$twa4j" soup "${data[@]}" --model cnn --models "${ingredients[@]}" --method "$method" --run "$out/soups"
done
python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
rows = []
summary = json.loads((out / "soups/soup/uniform/summary.json").read_text())
for ingredient in summary["ingredients"]:
    rows.append((ingredient["model"], ingredient["val_acc"], ingredient["test_acc"], None))
best = max(rows, key=lambda r: r[1])
print(f"{'':34} {'held-out':>9} {'test':>8} {'seconds':>8}")
print(f"{'best ingredient (by held-out)':34} {best[1]:9.4f} {best[2]:8.4f}")
for method in ["uniform", "greedy", "learned"]:
    s = json.loads((out / f"soups/soup/{method}/summary.json").read_text())
    print(f"{method + ' soup':34} {s['soup']['val_acc']:9.4f} {s['soup']['test_acc']:8.4f} {s['seconds']:8.1f}"
          + (f"   chosen: {', '.join(s['chosen'])}" if method == "greedy" else ""))
PY
