#!/usr/bin/env bash
# Runs the CUDA backend's kernels on the CPU (emulated) against the CPU twin and the float64 reference of
# gpu_check (--small shapes), and optionally a ThreadSanitizer smoke run (barrier / race check).
#   native/check/emu/run.sh [--tsan]        (needs g++ >= 11 with C++20 <barrier>; takes a few minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cpu=${ISPASP_CPU_SOURCE:-$root/native/cpu/ispasp_cpu.cpp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/xform.py" "$root/native/cuda" "$work/src"
srcs=("$work"/src/*.cpp "$here/emu.cpp")
flags=(-std=c++20 -O1 -g -pthread -I"$here" -I"$root/native/include" -I"$work/src" -include cuda_runtime.h)
if [[ "${1:-}" == "--tsan" ]]; then
  g++ "${flags[@]}" -fsanitize=thread "${srcs[@]}" "$here/tsan_smoke.cpp" -o "$work/tsan"
  "$work/tsan"
else
  g++ "${flags[@]}" "${srcs[@]}" "$root/native/check/gpu_check.cpp" "$cpu" -o "$work/check"
  "$work/check" --small "$@"
fi
