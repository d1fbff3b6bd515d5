#!/usr/bin/env bash
# CIFAR-10: one trained dense net pruned by every method on the same layouts, side by side (bench/results/cifar-*.md).
# Methods: i-SpaSP's default (--variant best), the default with --target current, i-SpaSP --variant paper, GFS,
# magnitude, activation mass, random.
# Plans: ref = --layout reference; f70 / f50 = FLOPs targets 0.7 / 0.5. A FLOPs layout is searched once, in the
# default i-SpaSP run, and handed to every other method as units:NAME=R, so all prune the same layout.
# Usage: bench/cifar/compare.sh DENSE.ckpt OUTDIR [LIMIT=5000] [CALIB=512] [GFS_K=50]
# Env: PLANS ("ref f70 f50"), METHODS ("ispasp current paper gfs magnitude activation random"), FINETUNE (plans whose runs
# also fine-tune one epoch on the LIMIT training images; default "ref"). Finished reports are kept (resumable).
# Table: bench/cifar/compare_table.py OUTDIR
set -euo pipefail
dense=${1:?usage: compare.sh DENSE.ckpt OUTDIR [LIMIT] [CALIB] [GFS_K]}; out=${2:?}
limit=${3:-5000}; calib=${4:-512}; k=${5:-50}
ispasp="${ISPASP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ispasp}"
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE
layout_of() { # the searched layout of a report, as units:NAME=R
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
ratios = [x for x in r["layout"] if x < 1]   # the pruned units, in unit order, are the units of the report
print("units:" + ",".join(u["name"] + "=" + repr(x) for u, x in zip(r["units"], ratios)))' "$1"
}
for tag in ${PLANS:-ref f70 f50}; do
  ft=(); [[ " ${FINETUNE-ref} " == *" $tag "* ]] && ft=(--finetune-epochs 1)
  for m in ${METHODS:-ispasp current paper gfs magnitude activation random}; do
    [ -f "$out/$tag-$m.json" ] && continue
    case $tag in
      ref) plan=(--layout reference) ;;
      f70|f50) if [ "$m" = ispasp ]; then plan=(--flops-target "0.${tag#f}")
               else [ -f "$out/$tag-ispasp.json" ] || { echo "run $tag ispasp first" >&2; exit 2; }
                    plan=(--layout "$(layout_of "$out/$tag-ispasp.json")"); fi ;;
      *) echo "unknown plan $tag" >&2; exit 2 ;;
    esac
    case $m in
      paper) meth=(--method ispasp --variant paper) ;;
      current) meth=(--method ispasp --target current) ;;
      *) meth=(--method "$m") ;;
    esac
    echo "== $tag $m" >&2
    "$ispasp" prune --model "$dense" --dataset cifar10 --limit "$limit" --calib "$calib" "${meth[@]}" "${plan[@]}" \
        --gfs-candidates "$k" "${ft[@]}" --out "$out/$tag-$m.ckpt" --report "$out/$tag-$m.json" > /dev/null
    rm -f "$out/$tag-$m.ckpt"
  done
done
