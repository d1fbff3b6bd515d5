#!/usr/bin/env bash
# Sentence encoders: one dense ONNX encoder pruned by every method at every FFN ratio, each pruned model's sentence
# embeddings compared with the dense model's on held-out sentences (bench/results/minilm-ffn.md).
# Usage: bench/encoders/compare.sh DENSE.onnx CALIB.txt EVAL.txt OUTDIR [CALIB_SENTENCES=1000]
# Env: METHODS ("ispasp paper flap magnitude activation random"; also any "name:--option,value,..." spelled out),
#      RATIOS ("0.3 0.5 0.7 0.5h0.75": FFN kept, optionally h + heads kept). Finished evaluations are kept (resumable).
# Table: bench/encoders/table.py OUTDIR
set -euo pipefail
dense=${1:?usage: compare.sh DENSE.onnx CALIB.txt EVAL.txt OUTDIR [CALIB_SENTENCES]}; calib=${2:?}; eval=${3:?}; out=${4:?}
n=${5:-1000}
ispasp="${ISPASP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ispasp}"
tok="${TOKENIZER:-${dense%.onnx}-tokenizer.json}"
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE
for r in ${RATIOS:-0.3 0.5 0.7 0.5h0.75}; do
  plan=(--ratio "${r%%h*}"); [[ $r == *h* ]] && plan+=(--heads "${r#*h}")
  for m in ${METHODS:-ispasp paper flap magnitude activation random}; do
    tag="r$r-${m%%:*}"
    [ -f "$out/$tag.eval.json" ] && continue
    case $m in
      paper) meth=(--method ispasp --variant paper) ;;
      *:*) IFS=, read -r -a meth <<< "${m#*:}"; meth=(--method ispasp "${meth[@]}") ;;
      *) meth=(--method "$m") ;;
    esac
    echo "== $tag" >&2
    "$ispasp" prune --model "$dense" --tokenizer "$tok" --data "$calib" --calib "$n" "${meth[@]}" "${plan[@]}" \
        --out "$out/$tag.onnx" --report "$out/$tag.json" > /dev/null
    "$ispasp" eval --model "$out/$tag.onnx" --dense "$dense" --tokenizer "$tok" --data "$eval" > "$out/$tag.eval.json.tmp"
    mv "$out/$tag.eval.json.tmp" "$out/$tag.eval.json"
    rm -f "$out/$tag.onnx"
  done
done
