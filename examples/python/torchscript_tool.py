#!/usr/bin/env python3
"""TorchScript companion of ispasp (needs torch and torchvision; Debian: apt install python3-torch python3-torchvision).

  make ARCH --out model.pt [--classes 10] [--width 1.0] [--seed 0] [--sizes 784,256,10] [--flatten]
      Scripts a freshly initialised torchvision resnet18 / resnet34 / mobilenet_v2 (or resnet50, which the
      engine refuses), or an nn.Sequential([Flatten,] Linear, ReLU, ..., Linear) MLP (ARCH = mlp, layer sizes from
      --sizes), and saves it with
      torch.jit.save. BatchNorm statistics and affine parameters are randomised so that a wrong import
      shows in the outputs.
  run MODEL --input x.f32 --shape 2,3,32,32 --output y.f32
      torch.jit.load(MODEL), eval mode, forward on the raw little-endian float32 input; writes the output the
      same way and prints a JSON line with the output shape and the state dict's names and shapes.
"""
import argparse
import json
import sys

import numpy as np
import torch
import torchvision


def make(args):
    torch.manual_seed(args.seed)
    if args.arch == "mlp":
        sizes = [int(s) for s in args.sizes.split(",")]
        layers = [torch.nn.Flatten()] if args.flatten else []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes):
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
    elif args.arch == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2(num_classes=args.classes, width_mult=args.width)
    elif args.arch in ("resnet18", "resnet34", "resnet50"):
        model = getattr(torchvision.models, args.arch)(num_classes=args.classes)
    else:
        sys.exit("unknown arch " + args.arch)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    torch.jit.save(torch.jit.script(model), args.out)


def run(args):
    model = torch.jit.load(args.model)
    model.eval()
    shape = [int(s) for s in args.shape.split(",")]
    x = torch.from_numpy(np.fromfile(args.input, dtype="<f4").reshape(shape))
    with torch.no_grad():
        y = model(x)
    y.numpy().astype("<f4").tofile(args.output)
    state = {k: list(v.shape) for k, v in model.state_dict().items()}
    print(json.dumps({"torch": torch.__version__, "output_shape": list(y.shape), "state": state}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("arch")
    m.add_argument("--out", required=True)
    m.add_argument("--classes", type=int, default=10)
    m.add_argument("--width", type=float, default=1.0)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--sizes", default="784,256,10")
    m.add_argument("--flatten", action="store_true", help="mlp: start with nn.Flatten() (takes [n, 1, 28, 28] too)")
    r = sub.add_parser("run")
    r.add_argument("model")
    r.add_argument("--input", required=True)
    r.add_argument("--shape", required=True)
    r.add_argument("--output", required=True)
    args = p.parse_args()
    make(args) if args.cmd == "make" else run(args)


if __name__ == "__main__":
    main()
