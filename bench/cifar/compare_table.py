#!/usr/bin/env python3
"""Markdown table of a bench/cifar/compare.sh folder: one row per (plan, method) report, side by side."""
import json, os, sys

d = sys.argv[1]
plans = (("ref", "reference layout"), ("f70", "FLOPs target 0.7"), ("f50", "FLOPs target 0.5"))
methods = (("ispasp", "i-SpaSP (default)"), ("current", "i-SpaSP default, --target current"),
           ("paper", "i-SpaSP --variant paper"), ("gfs", "GFS"),
           ("magnitude", "magnitude"), ("activation", "activation mass"), ("random", "random"))
head = None
rows = []
for tag, plan in plans:
    for m, label in methods:
        f = os.path.join(d, f"{tag}-{m}.json")
        if not os.path.exists(f):
            continue
        r = json.load(open(f))
        head = head or r
        a, s, fid = r["accuracy"], r["seconds"], r["fidelity"]
        ft = "" if a.get("after_finetune") is None else f"{100 * a['after_finetune']:.2f}"
        rows.append(f"| {plan} | {label} | {100 * a['after']:.2f} | {100 * fid['agreement']:.2f} | {fid['kl_divergence']:.3f} | {ft} | "
                    f"{r['params']['after'] / 1e6:.3f} | {r['flops']['after'] / r['flops']['before']:.3f} | "
                    f"{s['data'] + s['iterations']:.1f} | {s['layout_search']:.1f} |")
if head is None:
    sys.exit("no reports in " + d)
print(f"{head['arch']}; dense test accuracy {100 * head['accuracy']['before']:.2f}% on {head['fidelity']['samples']} test "
      f"images; params {head['params']['before'] / 1e6:.3f} M, FLOPs {head['flops']['before'] / 1e6:.1f} M; "
      f"{head['calibration']} calibration images\n")
print("| layout | method | test acc. right after pruning % | top-1 agreement with dense % | KL(dense ‖ pruned) | "
      "after 1 fine-tune epoch % | params M | FLOPs / dense | pruning s (selection) | layout search s |")
print("|---|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
