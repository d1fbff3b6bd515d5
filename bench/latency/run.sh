#!/usr/bin/env bash
# Dense vs pruned inference latency on CPU, the runs behind bench/results/latency.md:
#  - the CIFAR-10 conv nets of the conv-net comparison (bench/cifar/run.sh): ResNet34-CIFAR width 0.25 and
#    MobileNetV2-CIFAR width 0.5, dense vs i-SpaSP with the reference layout and with --flops-target 0.7,
#    batch 1, 8, 64, at 2 and at 1 libtorch threads;
#  - ImageNet-form ResNet34 and MobileNetV2 (width 1.0, 224x224) with random weights, dense vs the reference
#    layout (magnitude-pruned: latency does not depend on which channels are kept), batch 1 and 8.
# Usage: bench/latency/run.sh [OUT]   (default bench/results/latency; about 10 minutes on 2 cores)
# MALLOC=fixed: the same with glibc malloc's mmap and trim thresholds fixed at their maximum (GLIBC_TUNABLES),
# into NAME-fixed-malloc directories. By default glibc moves its mmap threshold as blocks are freed, so how much of
# a forward pass goes to fresh pages (page faults) depends on what ran before, including the other model.
# Inputs: R34 and MB2 (directories of bench/cifar/run.sh, default /tmp/cifar-r34 and /tmp/cifar-mb2); NETS, where
# the random ImageNet-form checkpoints are written (default /tmp/latency-nets).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/bench/results/latency}"
R34="${R34:-/tmp/cifar-r34}"
MB2="${MB2:-/tmp/cifar-mb2}"
NETS="${NETS:-/tmp/latency-nets}"
ISPASP="$ROOT/ispasp"
SUFFIX=""
if [[ "${MALLOC:-}" == fixed ]]; then
  export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
  SUFFIX="-fixed-malloc"
fi
mkdir -p "$OUT" "$NETS"

# Waits (at most 3 minutes) until the machine is quiet: under 10% of the CPU time busy over 3 seconds. On a
# shared VM another build or test run slows every model; the runs interleave models, so ratios survive some of
# it, but absolute times do not.
wait_quiet() {
  local waited=0 a b busy
  while (( waited < 180 )); do
    read -r -a a < /proc/stat; sleep 3; read -r -a b < /proc/stat
    local total=0 idle=$(( b[4] + b[5] - a[4] - a[5] ))
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    busy=$(( 100 * (total - idle) / (total > 0 ? total : 1) ))
    (( busy < 10 )) && return 0
    echo "   machine busy (${busy}% CPU), waiting" >&2
    sleep 20; waited=$(( waited + 23 ))
  done
  echo "   still busy after 3 minutes; measuring anyway (see other_cpu in the results)" >&2
}

# The largest share of CPU time other processes took while a batch size of NAME was timed, in percent.
disturbance() {
  grep -o '"other_cpu" : [0-9.]*' "$OUT/$1/latency.json" | awk -F' : ' '$2 > m { m = $2 } END { printf "%d", 100 * m }'
}

# One measurement: NAME, then the arguments of bench latency; the table also goes to OUT/NAME/table.md. Measured
# once more when other processes took more than 15% of the CPU time during it (the second result stands either
# way: the models are interleaved, so their ratios hold under a steady disturbance; the dense-again control shows it).
latency() {
  local name="$1$SUFFIX"; shift
  for attempt in 1 2; do
    wait_quiet
    echo "== $name, attempt $attempt (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    mkdir -p "$OUT/$name"
    "$ISPASP" bench latency "$@" --out "$OUT/$name" | tee "$OUT/$name/table.md"
    local d; d=$(disturbance "$name")
    (( d <= 15 )) && return 0
    echo "   other processes took up to ${d}% of the CPU time" >&2
  done
}

# at 2 threads the dense net also runs a second time under another label (dense-again): its "speed-up" against
# itself shows how much of a difference this machine's noise alone makes
for t in 2 1; do
  control=(); [[ $t == 2 ]] && control=(--model "dense-again=$R34/dense.ckpt")
  latency "resnet34-cifar-${t}t" --model "dense=$R34/dense.ckpt" --model "ref-ispasp=$R34/ref-ispasp.ckpt" \
    --model "f70-ispasp=$R34/f70-ispasp.ckpt" "${control[@]}" --batch 1,8,64 --threads "$t"
  control=(); [[ $t == 2 ]] && control=(--model "dense-again=$MB2/dense.ckpt")
  latency "mobilenetv2-cifar-${t}t" --model "dense=$MB2/dense.ckpt" --model "ref-ispasp=$MB2/ref-ispasp.ckpt" \
    --model "f70-ispasp=$MB2/f70-ispasp.ckpt" "${control[@]}" --batch 1,8,64 --threads "$t"
done

# NAME:ARCH (NAME as in the recorded result directories, ARCH as torchvision spells it)
for pair in resnet34:resnet34 mobilenetv2:mobilenet_v2; do
  name="${pair%%:*}" arch="${pair#*:}"
  [[ -f "$NETS/$name-dense.ckpt" ]] || "$ISPASP" bench random-net --arch "$arch" --seed 0 --out "$NETS/$name-dense.ckpt" >&2
  [[ -f "$NETS/$name-reference.ckpt" ]] || "$ISPASP" bench random-net --arch "$arch" --seed 0 --layout reference --out "$NETS/$name-reference.ckpt" >&2
  latency "$name-224-2t" --model "dense=$NETS/$name-dense.ckpt" --model "reference=$NETS/$name-reference.ckpt" --batch 1,8 --threads 2
done
