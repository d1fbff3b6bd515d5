#!/usr/bin/env bash
# Puts CIFAR-10 as image folders (train/<class>/*.jpg, test/<class>/*.jpg) into a directory (default:
# datasets/cifar10 in the repo root) by extracting a local archive; nothing is downloaded.
# Archive: $CIFAR10_ARCHIVE, else ../shared/datasets/cifar10-jpg.tar.gz relative to the repo root.
# Usage: datasets/fetch-cifar10.sh [target-dir]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/datasets/cifar10}"
archive="${CIFAR10_ARCHIVE:-$repo_root/../shared/datasets/cifar10-jpg.tar.gz}"

if [[ -d "$target/train" && -d "$target/test" ]]; then
    echo "CIFAR-10 already present in $target"
    exit 0
fi
if [[ -f "$target/data_batch_1.bin" || -f "$target/cifar-10-batches-bin/data_batch_1.bin" ]]; then
    echo "CIFAR-10 binary batches already present in $target"
    exit 0
fi

if [[ ! -f "$archive" ]]; then
    cat >&2 <<EOF
fetch-cifar10.sh: no CIFAR-10 archive at $archive (this script does not download).
Do one of:
  - set CIFAR10_ARCHIVE to a .tar.gz holding train/<class>/*.jpg and test/<class>/*.jpg, and run this again;
  - unpack the official binary version (cifar-10-binary.tar.gz: data_batch_1..5.bin, test_batch.bin) into $target;
  - put image folders $target/train/<class>/ and $target/test/<class>/ (.jpg, .jpeg or .png) there yourself;
  - or pass --data DIR pointing at a folder in one of those layouts.
EOF
    exit 1
fi

mkdir -p "$target"
target="$(cd "$target" && pwd)"
# Extract next to the target, then rename: a reader never sees a half-extracted tree.
work="$(mktemp -d "$target/.fetch-cifar10.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "extracting $archive"
tar -xzf "$archive" -C "$work"
src="$work"
# Accept archives that wrap train/ and test/ in one top-level folder.
if [[ ! -d "$src/train" ]]; then
    inner=("$work"/*/)
    [[ ${#inner[@]} -eq 1 && -d "${inner[0]}train" ]] && src="${inner[0]%/}"
fi
for split in train test; do
    [[ -d "$src/$split" ]] || { echo "fetch-cifar10.sh: $archive has no $split/ folder" >&2; exit 1; }
done
for split in train test; do
    rm -rf "$target/$split"
    mv "$src/$split" "$target/$split"
done
echo "CIFAR-10 ready in $target ($(find "$target/train" -type f | wc -l) train, $(find "$target/test" -type f | wc -l) test images)"
