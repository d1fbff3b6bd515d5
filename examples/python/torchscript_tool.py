#!/usr/bin/env python3
"""TorchScript companion of ispasp (needs torch and torchvision; Debian: apt install python3-torch python3-torchvision).

  make ARCH --out model.pt [--classes 10] [--width 1.0] [--form imagenet|cifar] [--seed 0]
          [--sizes 784,256,10] [--act relu|relu6|leaky_relu:SLOPE|gelu|silu|tanh] [--batchnorm] [--dropout P] [--flatten]
      Scripts a freshly initialised torchvision model (resnet18/34/50/101/152, wide_resnet50_2/101_2, vgg11/13/16/19
      with or without _bn, mobilenet_v2), or an nn.Sequential([Flatten,] Linear, [BatchNorm1d,] activation,
      [Dropout,] ..., Linear) MLP (ARCH = mlp, layer sizes from --sizes), in eval mode, and saves it with
      torch.jit.save. ResNets and VGGs at another width or in the CIFAR form (3x3 stem without max-pool; VGG:
      1x1 pool and a classifier of width 512*width) are torchvision's classes and blocks with scaled channels,
      so the module names are torchvision's. BatchNorm statistics and affine parameters are randomised so that a
      wrong import shows in the outputs.
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


def scaled(c, width):
    return max(1, int(round(c * width)))


class ScaledResNet(torchvision.models.resnet.ResNet):
    """torchvision's ResNet with every stage's planes scaled by width; the CIFAR form has a 3x3 stem and no max-pool."""

    def __init__(self, block, layers, width, cifar, num_classes, width_per_group=64):
        torch.nn.Module.__init__(self)
        self._norm_layer = torch.nn.BatchNorm2d
        self.inplanes = scaled(64, width)
        self.dilation = 1
        self.groups = 1
        self.base_width = width_per_group
        if cifar:
            self.conv1 = torch.nn.Conv2d(3, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = torch.nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(self.inplanes)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.Identity() if cifar else torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, scaled(64, width), layers[0])
        self.layer2 = self._make_layer(block, scaled(128, width), layers[1], stride=2)
        self.layer3 = self._make_layer(block, scaled(256, width), layers[2], stride=2)
        self.layer4 = self._make_layer(block, scaled(512, width), layers[3], stride=2)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(scaled(512, width) * block.expansion, num_classes)


RESNETS = {"resnet18": ("BasicBlock", [2, 2, 2, 2], 64), "resnet34": ("BasicBlock", [3, 4, 6, 3], 64),
           "resnet50": ("Bottleneck", [3, 4, 6, 3], 64), "resnet101": ("Bottleneck", [3, 4, 23, 3], 64),
           "resnet152": ("Bottleneck", [3, 8, 36, 3], 64), "wide_resnet50_2": ("Bottleneck", [3, 4, 6, 3], 128),
           "wide_resnet101_2": ("Bottleneck", [3, 4, 23, 3], 128)}
VGGS = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}


def activation(text):
    name, _, arg = text.partition(":")
    return {"relu": lambda: torch.nn.ReLU(), "relu6": lambda: torch.nn.ReLU6(), "gelu": lambda: torch.nn.GELU(),
            "silu": lambda: torch.nn.SiLU(), "tanh": lambda: torch.nn.Tanh(),
            "leaky_relu": lambda: torch.nn.LeakyReLU(float(arg or 0.01))}[name]()


def build(arch, classes=10, width=1.0, form="imagenet", seed=0, sizes="784,256,10", act="relu", batchnorm=False,
          dropout=0.0, flatten=False):
    """A torchvision model (or MLP) with random weights and randomised BatchNorm state, in eval mode."""
    torch.manual_seed(seed)
    cifar = form == "cifar"
    if arch == "mlp":
        sizes = [int(s) for s in sizes.split(",")]
        layers = [torch.nn.Flatten()] if flatten else []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes):
                if batchnorm:
                    layers.append(torch.nn.BatchNorm1d(sizes[i + 1]))
                layers.append(activation(act))
                if dropout > 0:
                    layers.append(torch.nn.Dropout(dropout))
        model = torch.nn.Sequential(*layers)
    elif arch == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2(num_classes=classes, width_mult=width)
        if cifar:  # the engine's CIFAR form: stride 1 in the stem and in the first 24-channel block
            model.features[0][0].stride = (1, 1)
            model.features[2].conv[1][0].stride = (1, 1)
    elif arch in RESNETS:
        if width == 1.0 and not cifar:
            model = getattr(torchvision.models, arch)(num_classes=classes)
        else:
            block, layers, per_group = RESNETS[arch]
            model = ScaledResNet(getattr(torchvision.models.resnet, block), layers, width, cifar, classes, per_group)
    elif arch.replace("_bn", "") in VGGS:
        bn = arch.endswith("_bn")
        if width == 1.0 and not cifar:
            model = getattr(torchvision.models, arch)(num_classes=classes)
        else:
            cfg = [v if v == "M" else scaled(v, width) for v in torchvision.models.vgg.cfgs[VGGS[arch.replace("_bn", "")]]]
            model = torchvision.models.vgg.VGG(torchvision.models.vgg.make_layers(cfg, batch_norm=bn), num_classes=classes)
            c = cfg[-2]
            f = scaled(512, width) if cifar else 4096
            pool = 1 if cifar else 7
            model.avgpool = torch.nn.AdaptiveAvgPool2d((pool, pool))
            model.classifier = torch.nn.Sequential(torch.nn.Linear(c * pool * pool, f), torch.nn.ReLU(True), torch.nn.Dropout(),
                                                   torch.nn.Linear(f, f), torch.nn.ReLU(True), torch.nn.Dropout(),
                                                   torch.nn.Linear(f, classes))
    elif hasattr(torchvision.models, arch):  # any other torchvision model, e.g. to check that it is refused
        model = getattr(torchvision.models, arch)(num_classes=classes)
    else:
        sys.exit("unknown arch " + arch)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    return model


def make(args):
    model = build(args.arch, args.classes, args.width, args.form, args.seed, args.sizes, args.act, args.batchnorm,
                  args.dropout, args.flatten)
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
    m.add_argument("--form", choices=["imagenet", "cifar"], default="imagenet")
    m.add_argument("--act", default="relu", help="mlp: relu, relu6, leaky_relu:SLOPE, gelu, silu or tanh")
    m.add_argument("--batchnorm", action="store_true", help="mlp: a BatchNorm1d after every hidden Linear")
    m.add_argument("--dropout", type=float, default=0.0, help="mlp: a Dropout(P) after every activation")
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
