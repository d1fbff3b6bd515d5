#!/usr/bin/env bash
# ResNet50 (CIFAR form, width 0.25) on CIFAR-10: prune a trained model with every method, every unit at 0.5 and at a
# FLOPs target of 0.6; accuracy right after pruning (no fine-tuning), params, FLOPs, pruning seconds. The FLOPs-target
# layout is searched once (in the i-SpaSP run) and given to the other methods as units:NAME=R, so every method prunes
# the same layout and the search is not repeated.
# Usage: bench/resnet50/run.sh DENSE.ckpt OUTDIR [CALIB=1280] [LIMIT=10000] [GFS_K=10] [GFS_BATCH=64] [FROM=1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dense="$1"; out="$2"; calib="${3:-1280}"; limit="${4:-10000}"; k="${5:-10}"; gb="${6:-64}"; from="${7:-1}"
mkdir -p "$out"
run() { # tag method options...
  local tag="$1" m="$2"; shift 2
  echo "== $tag $m" >&2
  "$root/ispasp" prune --model "$dense" --dataset cifar10 --limit "$limit" --calib "$calib" --method "$m" "$@" \
      --gfs-candidates "$k" --gfs-batch "$gb" --out "$out/$tag-$m.ckpt" --report "$out/$tag-$m.json" > /dev/null
}
i=0
for m in ispasp gfs magnitude activation random; do i=$((i+1)); [ "$i" -ge "$from" ] && run ratio "$m" --ratio 0.5; done
i=$((i+1)); [ "$i" -ge "$from" ] && run flops ispasp --flops-target 0.6
layout=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
ratios = [x for x in r["layout"] if x < 1]
print("units:" + ",".join(u["name"] + "=" + repr(x) for u, x in zip(r["units"], ratios)))' "$out/flops-ispasp.json")
for m in gfs magnitude activation random; do i=$((i+1)); [ "$i" -ge "$from" ] && run flops "$m" --layout "$layout"; done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
rows = [(tag, m, json.load(open(os.path.join(out, f"{tag}-{m}.json"))))
        for tag in ("ratio", "flops") for m in ("ispasp", "gfs", "magnitude", "activation", "random")]
r0 = rows[0][2]
print(f"{r0['arch']}, {r0['calibration']} calibration images, input {r0['input']}; dense test accuracy "
      f"{100*r0['accuracy']['before']:.2f}%, params {r0['params']['before']:,}, FLOPs {r0['flops']['before']:,}\n")
print("| setting | method | test acc. right after pruning | params | FLOPs (of dense) | pruning s |")
print("|---|---|---|---|---|---|")
for tag, m, r in rows:
    s = "every unit 0.5" if tag == "ratio" else "FLOPs target 0.6"
    print(f"| {s} | {m} | {100*r['accuracy']['after']:.2f}% | {r['params']['after']:,} | "
          f"{r['flops']['after']:,} ({r['flops']['after']/r['flops']['before']:.3f}) | "
          f"{r['seconds']['total'] + r['seconds']['layout_search']:.1f} |")
PY
