#!/usr/bin/env bash
# Runs the bad-input and bad-output cases of bench/results/reliability.md through the CLI and prints one row each:
# the case, the exit status, the error line, and whether the old files are byte-identical and no temporary file is left.
# Usage: bench/reliability/cases.sh   (needs datasets/mnist; makes its files in a temporary folder)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ispasp="${ISPASP:-$root/ispasp}"
[ -f "$root/datasets/mnist/train-images-idx3-ubyte" ] || [ -f "$root/datasets/mnist/train-images-idx3-ubyte.gz" ] \
  || { echo "error: datasets/mnist is missing (./ispasp demo --quick fetches it)" >&2; exit 1; }
w="$(mktemp -d)"; trap 'rm -rf "$w"' EXIT
mnist="$root/datasets/mnist"
"$ispasp" train --hidden 64 --epochs 1 --limit 2000 --out "$w/m.ckpt" > /dev/null 2>&1
"$ispasp" export --model "$w/m.ckpt" --out "$w/m.pt" > /dev/null 2>&1
mkdir -p "$w/o" "$w/d783" "$w/d9" "$w/swap"
printf 'old model' > "$w/o/old.ckpt"; printf 'old report' > "$w/o/old.json"
python3 - "$mnist" "$w" <<'PY'
import gzip, os, struct, sys
src, w = sys.argv[1], sys.argv[2]
def load(name):
    p = os.path.join(src, name)
    return gzip.open(p + '.gz').read() if not os.path.exists(p) else open(p, 'rb').read()
for split in ('train', 't10k'):
    im, lb = load(split + '-images-idx3-ubyte'), load(split + '-labels-idx1-ubyte')
    n = 300
    # 783 features: 27 x 29 images
    open(f'{w}/d783/{split}-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 27, 29) + im[16:16 + n * 783])
    open(f'{w}/d783/{split}-labels-idx1-ubyte', 'wb').write(lb[:8 - 4] + struct.pack('>I', n) + lb[8:8 + n])
    # labels of 9 classes only
    labels = bytes(min(b, 8) for b in lb[8:8 + n])
    open(f'{w}/d9/{split}-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 28, 28) + im[16:16 + n * 784])
    open(f'{w}/d9/{split}-labels-idx1-ubyte', 'wb').write(struct.pack('>II', 0x801, n) + labels)
    # the images file where the labels file should be
    open(f'{w}/swap/{split}-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 28, 28) + im[16:16 + n * 784])
    open(f'{w}/swap/{split}-labels-idx1-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 28, 28) + im[16:16 + n * 784])
# a torch.save-style zip: data.pkl, no constants.pkl
import zipfile
with zipfile.ZipFile(f'{w}/state_dict.pt', 'w', zipfile.ZIP_STORED) as z:
    z.writestr('state_dict/data.pkl', b'x'); z.writestr('state_dict/version', b'3')
# one flipped bit in the middle of the TorchScript file
b = bytearray(open(f'{w}/m.pt', 'rb').read()); b[len(b) // 2] ^= 0x10; open(f'{w}/flipped.pt', 'wb').write(b)
PY
sums() { (cd "$w/o" && sha256sum old.ckpt old.json | sha256sum | cut -c1-12); }
before="$(sums)"
row() { # name, then the command's arguments
  local name=$1; shift
  "$ispasp" "$@" > "$w/out" 2> "$w/err"; local code=$?
  local err; err="$(grep -m1 '^error:' "$w/err" | cut -c1-150)"
  local n; n="$(grep -c '^error:' "$w/err")"
  local tmp; tmp="$(find "$w/o" -name '.*.ispasp-*' | wc -l)"
  local same=yes; [ "$(sums)" = "$before" ] || same=NO
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$code" "$n" "$same" "$tmp" "${err//|/\\|}"
}
P=(prune --model "$w/m.ckpt" --data "$mnist" --ratio 0.5 --calib 256)
echo "| case | exit | error lines | old files identical | temp files left | error line |"
echo "|---|---|---|---|---|---|"
row "--out and --report the same path" "${P[@]}" --out "$w/o/old.ckpt" --report "$w/o/old.ckpt"
row "--report is a folder" "${P[@]}" --out "$w/o/old.ckpt" --report "$w/o"
row "--report in a missing folder" "${P[@]}" --out "$w/o/old.ckpt" --report "$w/nope/r.json"
row "--out p.onnx" "${P[@]}" --out "$w/o/p.onnx" --report "$w/o/old.json"
row "--device cuda without a GPU" "${P[@]}" --device cuda --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "duplicate unit in --layout" prune --model "$w/m.ckpt" --data "$mnist" --layout "units:0=0.4,0=0.5" --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "data with 783 features" prune --model "$w/m.ckpt" --data "$w/d783" --ratio 0.5 --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "images file as labels file" prune --model "$w/m.ckpt" --data "$w/swap" --ratio 0.5 --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "torch.save file as --model" prune --model "$w/state_dict.pt" --data "$mnist" --ratio 0.5 --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "TorchScript with one flipped bit" prune --model "$w/flipped.pt" --data "$mnist" --ratio 0.5 --out "$w/o/old.ckpt" --report "$w/o/old.json"
row "valid run (control)" "${P[@]}" --out "$w/o/new.pt" --report "$w/o/new.json"
