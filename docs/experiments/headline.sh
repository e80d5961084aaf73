#!/usr/bin/env bash
# The headline sweep (issue 12): cnn on Fashion-MNIST, E = 20 epochs, 4 snapshots per epoch,
# 10% of the training images held out (choose on them, report test).
#
#   docs/experiments/headline.sh train OUT SEED        the full run (its first half is the E/2 run)
#   docs/experiments/headline.sh grid OUT SEED         TWA one factor at a time, from E/2 and E/3
#   docs/experiments/headline.sh twa OUT SEED NAME FLAGS...   one TWA on the run's snapshots
#   docs/experiments/headline.sh timed OUT SEED AFTER FLAGS... train --twa-after AFTER (wall time)
#
# Tables: docs/experiments/collect_headline.py OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
twa4j="${TWA4J:-./twa4j}"
what=$1 out=$2 seed=$3
shift 3
run="$out/cnn-e20-s$seed"
train_flags=(--data fashion-mnist --model cnn --epochs 20 --lr 0.1 --wd 1e-4 --momentum 0.9 --schedule step
  --batch-size 128 --seed "$seed" --val-ratio 0.1)
# snapshot k is taken at epoch k/4: E/2 = snapshots 0..40, E/3 ~ the first 6 epochs = 0..24;
# --params-stride 4 keeps one snapshot per epoch
reference=(--params-start 0 --epochs 2 --lr 2 --wd 1e-5 --momentum 0.9 --schedule step
)  # defaults: --coefficients global --basis-dtype f32 --train-on train
twa() { # NAME FLAGS...
  local name=$1
  shift
  [ -f "$run/twa/$name/summary.json" ] && return 0
  local stride=(--params-stride 4)
  [[ " $* " == *" --params-stride "* ]] && stride=()
  "$twa4j" twa --run "$run" "${reference[@]}" "${stride[@]}" "$@" --name "$name" --overwrite
}
case "$what" in
  train)
    "$twa4j" train "${train_flags[@]}" --snapshots-per-epoch 4 --run "$run" --overwrite ;;
  grid)
    # from E/2 (snapshots 0..40); the E/3 rows, 4 TWA epochs and lr 0.5 did not fit the first session
    end=41
    twa "e2-ref" --params-end $end
    twa "e2-spe4" --params-end $end --params-stride 1
    twa "e2-per-layer" --params-end $end --coefficients per-layer
    twa "e2-ep1" --params-end $end --epochs 1
    for lr in 1 4; do twa "e2-lr$lr" --params-end $end --lr $lr; done
    twa "e2-int8" --params-end $end --basis-dtype int8
    twa "e2-val" --params-end $end --train-on val
    twa "e2-spe4-per-layer" --params-end $end --params-stride 1 --coefficients per-layer ;;
  twa)
    twa "$@" ;;
  timed)
    after=$1
    shift
    "$twa4j" train "${train_flags[@]}" --run "$out/timed-s$seed-after$after" --overwrite --twa-after "$after" "$@" ;;
  *)
    echo "unknown step $what: train, grid, twa or timed" >&2
    exit 2 ;;
esac
