#!/usr/bin/env bash
# Resident memory of a long-lived JVM that runs many small pruning jobs, under several JVM heap settings side by side.
# Usage: bench/reliability/rss.sh [JOBS]   (default 200; builds the project first when needed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f target/classpath.txt ] || ./ispasp --version > /dev/null
cp="target/classes:$(cat target/classpath.txt)"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp "$cp" bench/reliability/LongRunRss.java
for opts in "-Xmx8g" "-Xms64m -Xmx8g" "-Xms2g -Xmx8g"; do
  echo "== java $opts ($(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo))"
  java $opts -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$out:$cp" LongRunRss "${1:-200}" 2>&1 | grep "^jobs"
done
