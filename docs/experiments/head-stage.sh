#!/usr/bin/env bash
# TWA head stage on real Fashion-MNIST: full SGD budget E vs the first E/2 and E/3 epochs + TWA.
# Usage: docs/experiments/head-stage.sh OUT_DIR MODEL EPOCHS TWA_EPOCHS SEED [extra train flags...]
set -euo pipefail
out=$1 model=$2 epochs=$3 twa_epochs=$4 seed=$5
shift 5
twa4j="${TWA4J:-./twa4j}"
cd "$(dirname "$0")/../.."
run="$out/$model-e$epochs-s$seed"
"$twa4j" train --data fashion-mnist --model "$model" --epochs "$epochs" --lr 0.1 --wd 1e-4 --momentum 0.9 \
  --schedule step --batch-size 128 --seed "$seed" --run "$run" --overwrite "$@"
for part in 2 3; do
  end=$((epochs / part + 1))
  "$twa4j" twa --run "$run" --params-start 0 --params-end "$end" --epochs "$twa_epochs" --lr 2 --wd 1e-5 \
    --momentum 0.9 --schedule step --name "first-1-$part" --overwrite
done
