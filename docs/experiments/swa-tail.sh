#!/usr/bin/env bash
# SWA comparison on Fashion-MNIST, cnn: SGD vs SWA (two swa-lr) vs TWA on the SWA snapshots, two seeds.
set -uo pipefail
T=${TWA4J:-$(cd "$(dirname "$0")/../.." && pwd)/twa4j}   # the launcher of this checkout
mkdir -p "${OUT:-runs/swa-tail}" && cd "${OUT:-runs/swa-tail}"
log() { echo "$(date +%T) $*" >> times.log; }
# the issue's acceptance check
s=$(date +%s); $T swa --data fashion-mnist --model cnn --epochs 6 --swa-start 3 --run s --overwrite > s.out 2>&1; log "accept-swa rc=$? $(( $(date +%s)-s ))s"
s=$(date +%s); $T twa --run s --params-start 3 --params-end 7 --train-start 6 --epochs 1 --overwrite > s-twa.out 2>&1; log "accept-twa rc=$? $(( $(date +%s)-s ))s"
E=12
for seed in 1 2; do
  s=$(date +%s); $T swa --data fashion-mnist --model cnn --epochs $E --swa-start 99 --swa-lr 0.001 --ema-decay 0.999 --ema-warmup --seed $seed --run sgd-s$seed --overwrite > sgd-s$seed.out 2>&1; log "sgd-s$seed rc=$? $(( $(date +%s)-s ))s"
  for lr in 0.05 0.10; do
    r=swa$lr-s$seed
    s=$(date +%s); $T swa --data fashion-mnist --model cnn --epochs $E --swa-start 6 --swa-lr $lr --eval-freq 3 --seed $seed --run $r --overwrite > $r.out 2>&1; log "$r rc=$? $(( $(date +%s)-s ))s"
    s=$(date +%s); $T twa --run $r --params-start 6 --params-end $((E+1)) --train-start $E --epochs 2 --lr 2 --wd 5e-5 --overwrite > $r-twa.out 2>&1; log "$r-twa rc=$? $(( $(date +%s)-s ))s"
  done
done
log done
