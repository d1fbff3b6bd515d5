#!/usr/bin/env python3
"""Markdown table of a bench/cifar/run.sh output folder: one row per (layout, method) report."""
import json, os, sys

d = sys.argv[1]
train = json.load(open(os.path.join(d, "train.json")))
rows = []
for tag, name in (("ref", "reference layout"), ("f70", "FLOPs target 0.7")):
    for m in ("ispasp", "gfs", "magnitude", "activation", "random"):
        f = os.path.join(d, f"{tag}-{m}.json")
        if not os.path.exists(f):
            continue
        r = json.load(open(f))
        a, s = r["accuracy"], r["seconds"]
        rows.append(f"| {name} | {m} | {100 * a['after']:.1f} | {100 * a['after_finetune']:.1f} | "
                    f"{r['params']['after'] / 1e6:.3f} | {r['flops']['after'] / 1e6:.1f} | "
                    f"{r['flops']['after'] / r['flops']['before']:.3f} | {s['data'] + s['iterations']:.2f} | "
                    f"{s['layout_search']:.1f} |")
print(f"Dense: accuracy {100 * train['accuracy']:.1f}%, params {train['params'] / 1e6:.3f} M, FLOPs {train['flops'] / 1e6:.1f} M\n")
print("| layout | method | acc. after pruning % | after 1 fine-tune epoch % | params M | FLOPs M | FLOPs / dense "
      "| pruning s (selection) | layout search s |")
print("|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
