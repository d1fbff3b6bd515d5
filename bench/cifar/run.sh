#!/usr/bin/env bash
# The CIFAR-10 conv-net comparison of bench/results/cifar-conv.md: train a dense net, then prune it with the
# reference layout and with a FLOPs target of 0.7 by every method, each followed by one fine-tune epoch.
# Usage: bench/cifar/run.sh OUTDIR [ARCH] [WIDTH] [TRAIN_LIMIT] [EPOCHS]
# Env: METHODS (default "ispasp gfs magnitude activation random"), PLANS ("ref f70" by default; ref = --layout
# reference, f70 = --flops-target 0.7). Finished reports are kept, so an interrupted run resumes.
set -euo pipefail
out=${1:?usage: run.sh OUTDIR [ARCH] [WIDTH] [TRAIN_LIMIT] [EPOCHS]}
arch=${2:-resnet34}; width=${3:-0.25}; limit=${4:-10000}; epochs=${5:-4}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE
common=(--dataset cifar10 --limit "$limit")
[ -f "$out/dense.ckpt" ] || ./ispasp train --arch "$arch" --width "$width" "${common[@]}" --epochs "$epochs" --lr 0.1 \
    --out "$out/dense.ckpt" > "$out/train.json"
for tag in ${PLANS:-ref f70}; do
  case $tag in ref) plan="--layout reference" ;; f70) plan="--flops-target 0.7" ;; *) echo "unknown plan $tag" >&2; exit 2 ;; esac
  for m in ${METHODS:-ispasp gfs magnitude activation random}; do
    [ -f "$out/$tag-$m.json" ] && continue
    ./ispasp prune --model "$out/dense.ckpt" "${common[@]}" --method "$m" $plan --calib 256 --iters 20 \
        --gfs-candidates 50 --finetune-epochs 1 --out "$out/$tag-$m.ckpt" --report "$out/$tag-$m.json" > /dev/null
    echo "done $tag $m"
  done
done
