#!/usr/bin/env python3
"""The table of bench/encoders/compare.sh's results: per FFN ratio and method, the embedding agreement with the
dense encoder on the held-out sentences and the pruning time. Usage: table.py OUTDIR"""
import glob, json, os, sys

out = sys.argv[1]
rows = []
for f in sorted(glob.glob(os.path.join(out, "r*.eval.json"))):
    tag = os.path.basename(f)[:-len(".eval.json")]
    ratio, method = tag[1:].split("-", 1)
    heads = ratio.split("h")[1] if "h" in ratio else "1"
    ratio = ratio.split("h")[0]
    e = json.load(open(f))
    r = json.load(open(os.path.join(out, tag + ".json")))
    s = r["seconds"]
    rows.append((float(ratio), float(heads), method, e, s))
order = {m: i for i, m in enumerate(["ispasp", "paper", "flap", "magnitude", "activation", "random"])}
rows.sort(key=lambda x: (-x[1], x[0], order.get(x[2], 99), x[2]))
print("| FFN kept | heads kept | method | cosine mean | cosine p5 | recall@10 | params | MFLOPs/seq (128) | prune s |")
print("|---|---|---|---|---|---|---|---|---|")
for ratio, heads, m, e, s in rows:
    k = [k for k in e if k.startswith("recall_at_")][0]
    print(f"| {ratio} | {heads:g} | {m} | {e['cosine_mean']:.4f} | {e['cosine_p5']:.4f} | {e[k]:.4f} | {e['params']:,} | "
          f"{e['flops_per_sequence'] / 1e6:.0f} | {s['total']:.0f} |")
