#!/usr/bin/env bash
# The engine's own trainer for the dense CIFAR-10 models of bench/models/ (libtorch on the CPU): NAME.ckpt, the
# training log NAME.train.txt and the summary NAME.json (test accuracy, params, FLOPs).
# The committed models were trained on a GPU with bench/models/train_gpu.py (bench/models/README.md); on a 2-core
# machine this script needs about 40 minutes per epoch of ResNet34 x0.25 and 85 of MobileNetV2 x0.5.
# Usage: bench/models/train.sh [NAME...]   (default: resnet34-cifar-w0.25; names below)
#   resnet34-cifar-w0.25     ResNet34, CIFAR form, width 0.25: 1 epoch on the 50,000 training images, lr 0.1 cosine
#   mobilenet_v2-cifar-w0.5  MobileNetV2, CIFAR form, width 0.5: 30 epochs, lr 0.05 cosine
# EPOCHS overrides the epochs of every model.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f datasets/cifar10/data_batch_1.bin ] || [ -d datasets/cifar10/train ] || datasets/fetch-cifar10.sh
train() { # name arch width epochs lr
  local name=$1 arch=$2 width=$3 epochs=${EPOCHS:-$4} lr=$5
  ./ispasp train --arch "$arch" --form cifar --width "$width" --dataset cifar10 --epochs "$epochs" --lr "$lr" \
      --out "bench/models/$name.ckpt" > "bench/models/$name.json" 2> "bench/models/$name.train.txt"
  cat "bench/models/$name.json"
}
for name in ${@:-resnet34-cifar-w0.25}; do
  case $name in
    resnet34-cifar-w0.25) train "$name" resnet34 0.25 1 0.1 ;;
    mobilenet_v2-cifar-w0.5) train "$name" mobilenet_v2 0.5 30 0.05 ;;
    *) echo "unknown model $name" >&2; exit 2 ;;
  esac
done
