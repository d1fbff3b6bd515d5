#!/usr/bin/env bash
# Pruning time and peak memory of the default i-SpaSP on an encoder for several calibration sizes (FFN 0.5), and the
# pruned models for the latency comparison (FFN 0.5; FFN 0.5 + heads 0.75), written to OUTDIR.
# Usage: bench/encoders/timing.sh DENSE.onnx CALIB.txt OUTDIR [SIZES="1000 10000"]
set -euo pipefail
dense=${1:?usage: timing.sh DENSE.onnx CALIB.txt OUTDIR [SIZES]}; calib=${2:?}; out=${3:?}
ispasp="${ISPASP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ispasp}"
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE
for n in ${SIZES:-1000 10000}; do
  [ -f "$out/calib$n.json" ] && continue
  echo "== calibration $n" >&2
  t0=$(date +%s.%N)
  "$ispasp" prune --model "$dense" --data "$calib" --calib "$n" --ratio 0.5 --out "$out/ffn50-calib$n.onnx" \
      --report "$out/calib$n.json.tmp" > /dev/null
  echo "$(date +%s.%N) - $t0" | bc > "$out/calib$n.wall"   # the whole command: JVM start, reading, tokens, prune, export
  mv "$out/calib$n.json.tmp" "$out/calib$n.json"
done
[ -f "$out/ffn50-heads75.onnx" ] || "$ispasp" prune --model "$dense" --data "$calib" --ratio 0.5 --heads 0.75 \
    --out "$out/ffn50-heads75.onnx" --report "$out/ffn50-heads75.json" > /dev/null
python3 - "$out" ${SIZES:-1000 10000} <<'PY'
import json, sys
out = sys.argv[1]
print("| calibration sentences | inputs s | data pass s | iterations s | refit s | surgery s | prune total s | whole command s | carried peak GiB | spilled GiB | peak RSS GiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n in sys.argv[2:]:
    r = json.load(open(f"{out}/calib{n}.json"))
    s, m = r["seconds"], r["memory"]
    g = lambda b: f"{(b or 0) / 2**30:.2f}"
    print(f"| {n} | {s['inputs']:.0f} | {s['data']:.1f} | {s['iterations']:.1f} | {s['refit']:.2f} | {s['surgery']:.1f} | "
          f"{s['total']:.0f} | {float(open(f'{out}/calib{n}.wall').read()):.0f} | {g(m['carried_peak'])} | {g(m['spilled_peak'])} | {g(m.get('peak_rss'))} |")
PY
