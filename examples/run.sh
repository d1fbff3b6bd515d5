#!/usr/bin/env bash
# Runs an example from examples/java as a single-file Java program on the engine's classpath (built by ./ispasp).
#   examples/run.sh PruneInAService [args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="${1:?usage: examples/run.sh EXAMPLE [args...]  (examples: $(ls "$ROOT/examples/java" | sed 's/\.java//' | tr '\n' ' '))}"
shift
"$ROOT/ispasp" --version >/dev/null          # builds the engine when its sources changed
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$ROOT/target/classes:$(cat "$ROOT/target/classpath.txt")" \
  "$ROOT/examples/java/$NAME.java" "$@"
