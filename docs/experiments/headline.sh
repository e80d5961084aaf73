#!/usr/bin/env bash
# The headline sweep (issue 12): cnn (or PreResNet20, below) on Fashion-MNIST, E = 20 epochs, 4 snapshots per epoch,
# 10% of the training images held out (choose on them, report test).
#
#   docs/experiments/headline.sh train OUT SEED        the full run (its first half is the E/2 run)
#   docs/experiments/headline.sh grid OUT SEED         TWA one factor at a time, from E/2 and E/3
#   docs/experiments/headline.sh more OUT SEED         the rows run after the grid: lower lrs, combinations
#   docs/experiments/headline.sh verify OUT SEED       the chosen settings on a fresh seed (full run, timed run)
#   docs/experiments/headline.sh twa OUT SEED NAME FLAGS...   one TWA on the run's snapshots
#   docs/experiments/headline.sh timed OUT SEED AFTER FLAGS... train --twa-after AFTER (wall time)
#
# Tables: docs/experiments/collect_headline.py OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
twa4j="${TWA4J:-./twa4j}"
what=$1 out=$2 seed=$3
shift 3
# MODEL=PreResNet20: the reference's PreResNet20 on the first 5,000 training / 2,000 test images
model="${MODEL:-cnn}"
case "$model" in
  cnn) limits=() ;;
  PreResNet20) limits=(--train-limit 5000 --test-limit 2000) ;;
  *) echo "MODEL is cnn or PreResNet20, got $model" >&2; exit 2 ;;
esac
run="$out/$model-e20-s$seed"
train_flags=(--data fashion-mnist --model "$model" --epochs 20 --lr 0.1 --wd 1e-4 --momentum 0.9 --schedule step
  --batch-size 128 --seed "$seed" --val-ratio 0.1 "${limits[@]}")
# snapshot k is taken at epoch k/4: E/2 = snapshots 0..40, E/3 ~ the first 6 epochs = 0..24;
# --params-stride 4 keeps one snapshot per epoch
# (flag, value) pairs; defaults: --coefficients global --basis-dtype f32 --train-on train
reference=(--params-start 0 --params-stride 4 --epochs 2 --lr 2 --wd 1e-5 --momentum 0.9 --schedule step)
twa() { # NAME FLAGS...
  local name=$1
  shift
  [ -f "$run/twa/$name/summary.json" ] && return 0
  # a reference flag given in FLAGS replaces the reference's value (picocli takes each flag once)
  local flags=() i
  for ((i = 0; i < ${#reference[@]}; i += 2)); do
    [[ " $* " == *" ${reference[i]} "* ]] || flags+=("${reference[i]}" "${reference[i + 1]}")
  done
  "$twa4j" twa --run "$run" "${flags[@]}" "$@" --name "$name" --overwrite
}
case "$what" in
  train)
    "$twa4j" train "${train_flags[@]}" --snapshots-per-epoch 4 --run "$run" --overwrite ;;
  grid)
    # one factor at a time from the reference (E/2: snapshots 0..40, one per epoch, global, 2 epochs,
    # lr 2, f32, trained on the training split), then E/3 (snapshots 0..24)
    end=41
    twa "e2-ref" --params-end $end
    twa "e2-spe4" --params-end $end --params-stride 1
    twa "e2-per-layer" --params-end $end --coefficients per-layer
    for epochs in 1 4; do twa "e2-ep$epochs" --params-end $end --epochs $epochs; done
    for lr in 0.5 1 4; do twa "e2-lr$lr" --params-end $end --lr $lr; done
    twa "e2-int8" --params-end $end --basis-dtype int8
    twa "e2-val" --params-end $end --train-on val
    twa "e3-ref" --params-end 25 ;;
  more)
    # after the grid, as the session ran them (cnn; PreResNet20 took the two rows of its own)
    end=41
    if [ "$model" = cnn ]; then
      for lr in 0.1 0.25; do twa "e2-lr$lr" --params-end $end --lr $lr; done
      twa "e2-spe4-lr0.5" --params-end $end --params-stride 1 --lr 0.5
      twa "e2-spe4-lr0.25" --params-end $end --params-stride 1 --lr 0.25
      twa "e2-per-layer-lr0.5" --params-end $end --coefficients per-layer --lr 0.5
      twa "e2-spe4-per-layer-lr0.5" --params-end $end --params-stride 1 --coefficients per-layer --lr 0.5
      twa "e2-spe4-lr0.5-ep1" --params-end $end --params-stride 1 --lr 0.5 --epochs 1
    else
      twa "e2-lr0.25" --params-end $end --lr 0.25
      twa "e2-spe4-lr0.5" --params-end $end --params-stride 1 --lr 0.5
    fi ;;
  verify)
    # the choice (held-out mean, within 65% of the time): lr 0.25, one snapshot per epoch
    "$0" train "$out" "$seed"
    "$0" timed "$out" "$seed" 10 --snapshots-per-epoch 1 --twa-epochs 2 --twa-lr 0.25 --twa-wd 1e-5 \
      --twa-momentum 0.9 --twa-schedule step --no-twa-baseline --twa-name e2-lr0.25
    twa "e2-lr0.25" --params-end 41 --lr 0.25
    twa "e2-ref" --params-end 41
    twa "e2-int8-lr0.25" --params-end 41 --lr 0.25 --basis-dtype int8 ;;
  twa)
    twa "$@" ;;
  timed)
    after=$1
    shift
    "$twa4j" train "${train_flags[@]}" --run "$out/timed-$model-s$seed-after$after" --overwrite --twa-after "$after" "$@" ;;
  *)
    echo "unknown step $what: train, grid, more, verify, twa or timed" >&2
    exit 2 ;;
esac
