#!/usr/bin/env python3
"""Trains the dense CIFAR-10 models of bench/models/ on a GPU with PyTorch and writes them in the engine's
checkpoint format (io.ispasp.nn.file.NetworkCheckpoint, ISPASPN2), so every benchmark starts from them.

The engine's own trainer (bench/models/train.sh, libtorch on the CPU) needs about a day per model on a 2-core
machine; this script does the same job in minutes on one GPU. The networks are the engine's architectures
(io.ispasp.nn.arch.ResNet and MobileNetV2, CIFAR form) with torchvision's state-dict names; the pixels are the
same JPEGs (datasets/cifar10 is made from the same archive), normalised with the engine's CIFAR-10 statistics.

  python3 bench/models/train_gpu.py --data cifar10-jpg.tar.gz --out DIR [--epochs N | --deadline UNIX_S] [NAME...]
  python3 bench/models/train_gpu.py --data cifar10-jpg.tar.gz --check FILE.ckpt   # accuracy of an engine checkpoint

Without --epochs, each model's epochs are chosen from a timed probe so that all models end before --deadline; the
log names the epochs each model ran, and --epochs N with --seed reproduces a model. Needs torch, torchvision,
numpy and Pillow (the check runs on the CPU too).
"""
import argparse
import io
import json
import math
import os
import struct
import sys
import tarfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
MEAN = (0.4914, 0.4822, 0.4465)  # io.ispasp.data.Normalization.CIFAR10
STD = (0.2470, 0.2435, 0.2616)


def scaled(c, width):  # io.ispasp.nn.arch.Widths.scaled: max(1, round half up)
    return max(1, int(math.floor(c * width + 0.5)))


class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inp != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, 0, bias=False), nn.BatchNorm2d(planes))
        self.out = planes

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):  # stride on the 3x3 conv (torchvision's V1.5)
    def __init__(self, inp, planes, stride):
        super().__init__()
        out = planes * 4
        self.conv1 = nn.Conv2d(inp, planes, 1, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, 1, 0, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or inp != out:
            self.downsample = nn.Sequential(nn.Conv2d(inp, out, 1, stride, 0, bias=False), nn.BatchNorm2d(out))
        self.out = out

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + (x if self.downsample is None else self.downsample(x)))


class CifarResNet(nn.Module):
    """io.ispasp.nn.arch.ResNet, CIFAR form: 3x3 stride-1 stem, no max-pool, stage widths round(64 * 2^s * width)."""

    DEPTHS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}

    def __init__(self, depth, width, classes):
        super().__init__()
        block = Bottleneck if depth >= 50 else BasicBlock
        stem = scaled(64, width)
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        inp = stem
        for s, n in enumerate(self.DEPTHS[depth]):
            blocks = []
            for i in range(n):
                b = block(inp, scaled(64 << s, width), 2 if i == 0 and s > 0 else 1)
                blocks.append(b)
                inp = b.out
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(inp, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def cifar_mobilenet_v2(width, classes):
    """io.ispasp.nn.arch.MobileNetV2, CIFAR form: torchvision's, stride 1 in the stem and in features.2."""
    import torchvision
    m = torchvision.models.mobilenet_v2(num_classes=classes, width_mult=width)
    m.features[0][0].stride = (1, 1)
    m.features[2].conv[1][0].stride = (1, 1)  # features.2's depthwise conv (expansion 6: conv.0 is the 1x1)
    return m


# name -> (the engine's architecture text, builder, peak learning rate at batch 512, budget weight)
MODELS = {
    "resnet34-cifar-w0.25": ("resnet34 form=cifar width=0.25 classes=10", lambda: CifarResNet(34, 0.25, 10), 0.2, 1.0),
    "mobilenet_v2-cifar-w0.5": ("mobilenet_v2 form=cifar width=0.5 classes=10", lambda: cifar_mobilenet_v2(0.5, 10), 0.1, 1.2),
    "resnet50-cifar-w0.25": ("resnet50 form=cifar width=0.25 classes=10", lambda: CifarResNet(50, 0.25, 10), 0.2, 1.1),
}
ARCH_TO_MODEL = {v[0]: k for k, v in MODELS.items()}


# ---- data ---------------------------------------------------------------------------------------------------------

def _decode(items):
    from PIL import Image
    out = np.empty((len(items), 32, 32, 3), np.uint8)
    for i, data in enumerate(items):
        img = Image.open(io.BytesIO(data)).convert("RGB")
        if img.size != (32, 32):
            raise ValueError("image of size %s, expected 32x32" % (img.size,))
        out[i] = np.asarray(img)
    return out


def load_cifar(archive, cache=None):
    """All 60,000 images of the archive (train/<class>/*.jpg, test/<class>/*.jpg) as uint8 NHWC arrays, sorted by
    path as the engine's ImageFolder reader sorts them; labels are the class's index in CLASSES."""
    if cache and os.path.exists(cache):
        z = np.load(cache)
        return z["xtr"], z["ytr"], z["xte"], z["yte"]
    t0 = time.time()
    files = {"train": [], "test": []}
    with tarfile.open(archive, "r:*") as tar:
        for m in tar:
            parts = m.name.strip("/").split("/")
            if not m.isfile() or len(parts) != 3 or parts[0] not in files or not parts[2].endswith(".jpg"):
                continue
            if parts[1] not in CLASSES:
                raise ValueError("%s: unknown class %s" % (archive, parts[1]))
            files[parts[0]].append((m.name, CLASSES.index(parts[1]), tar.extractfile(m).read()))
    result = []
    with ProcessPoolExecutor(max(1, min(16, os.cpu_count() or 1))) as pool:
        for split in ("train", "test"):
            items = sorted(files[split])
            chunks = [[d for _, _, d in items[i:i + 1000]] for i in range(0, len(items), 1000)]
            x = np.concatenate(list(pool.map(_decode, chunks)))
            result += [x, np.array([c for _, c, _ in items], np.int64)]
    print("data: %d train, %d test images decoded in %.1f s" % (len(result[0]), len(result[2]), time.time() - t0), flush=True)
    if cache:
        np.savez(cache + ".tmp.npz", xtr=result[0], ytr=result[1], xte=result[2], yte=result[3])
        os.replace(cache + ".tmp.npz", cache)
    return tuple(result)


def normalise(x_uint8_nchw):
    mean = torch.tensor(MEAN, device=x_uint8_nchw.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x_uint8_nchw.device).view(1, 3, 1, 1)
    return (x_uint8_nchw.float() / 255 - mean) / std


def augment(padded, idx, gen):
    """Random 32x32 crop of the 4-pixel zero-padded image and a random horizontal flip, on the device."""
    b = idx.numel()
    dev = padded.device
    dy = torch.randint(0, 9, (b,), device=dev, generator=gen)
    dx = torch.randint(0, 9, (b,), device=dev, generator=gen)
    ar = torch.arange(32, device=dev)
    rows = (dy[:, None] + ar)[:, None, :, None]
    cols = (dx[:, None] + ar)[:, None, None, :]
    flip = torch.rand(b, device=dev, generator=gen) < 0.5
    cols = torch.where(flip[:, None, None, None], cols.flip(-1), cols)
    ch = torch.arange(3, device=dev)[None, :, None, None]
    return padded[idx[:, None, None, None], ch, rows, cols]


# ---- the engine's checkpoint --------------------------------------------------------------------------------------

def save_checkpoint(model, arch, path):
    out = bytearray(b"ISPASPN2")
    out += struct.pack("<i", 2)
    a = arch.encode("ascii")
    out += struct.pack("<H", len(a)) + a
    state = model.state_dict()
    out += struct.pack("<i", len(state))
    for name, t in state.items():
        t = t.detach().cpu().contiguous()
        n = name.encode("ascii")
        out += struct.pack("<H", len(n)) + n
        if t.dtype == torch.int64:
            dtype, data = 2, t.numpy().astype("<i8").tobytes()
        else:
            if not torch.isfinite(t).all():
                raise ValueError("%s: %s holds NaN or infinite values" % (path, name))
            dtype, data = 1, t.float().numpy().astype("<f4").tobytes()
        out += struct.pack("<BB", dtype, t.dim()) + struct.pack("<%dq" % t.dim(), *t.shape) + data
    out += struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path):
    b = open(path, "rb").read()
    if b[:8] != b"ISPASPN2" or struct.unpack_from("<i", b, 8)[0] != 2:
        raise ValueError("%s: not an ISPASPN2 checkpoint" % path)
    if zlib.crc32(b[:-4]) & 0xFFFFFFFF != struct.unpack_from("<I", b, len(b) - 4)[0]:
        raise ValueError("%s: checksum mismatch" % path)
    o = 12
    n = struct.unpack_from("<H", b, o)[0]
    arch = b[o + 2:o + 2 + n].decode("ascii")
    o += 2 + n
    count = struct.unpack_from("<i", b, o)[0]
    o += 4
    state = {}
    for _ in range(count):
        n = struct.unpack_from("<H", b, o)[0]
        name = b[o + 2:o + 2 + n].decode("ascii")
        o += 2 + n
        dtype, rank = b[o], b[o + 1]
        o += 2
        shape = struct.unpack_from("<%dq" % rank, b, o)
        o += 8 * rank
        numel = int(np.prod(shape)) if rank else 1
        np_type, size = ("<f4", 4) if dtype == 1 else ("<i8", 8)
        state[name] = torch.from_numpy(np.frombuffer(b, np_type, numel, o).copy().reshape(shape))
        o += numel * size
    return arch, state


# ---- training -----------------------------------------------------------------------------------------------------

@torch.no_grad()
def accuracy(model, x, y, device, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        xb = normalise(x[i:i + batch].to(device)).contiguous(memory_format=torch.channels_last)
        correct += (model(xb).argmax(1) == y[i:i + batch].to(device)).sum().item()
    return correct / len(x)


def make_optimizer(model, lr, wd):
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]  # BN and biases exempt from weight decay
    rest = [p for n, p in model.named_parameters() if p.dim() <= 1]
    return torch.optim.SGD([{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}],
                           lr=lr, momentum=0.9, nesterov=True)


def run_steps(model, opt, padded, ytr, order, batch, steps, gen, lr_at, step0, device):
    model.train()
    use_amp = device.type == "cuda"
    last = None
    for k in range(steps):
        idx = order[k * batch:(k + 1) * batch]
        xb = normalise(augment(padded, idx, gen)).contiguous(memory_format=torch.channels_last)
        for g in opt.param_groups:
            g["lr"] = lr_at(step0 + k)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp):
            loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        last = loss
    return float(last.detach()) if last is not None else float("nan")


def step_seconds(build, padded, ytr, batch, device, lr):
    """Seconds per training step, timed on a throw-away copy (the real run starts from the seeded weights)."""
    model = build().to(device).to(memory_format=torch.channels_last)
    opt = make_optimizer(model, lr, 5e-4)
    gen = torch.Generator(device=device)
    gen.manual_seed(1)
    order = torch.randperm(len(ytr), device=device, generator=gen)
    run_steps(model, opt, padded, ytr, order, batch, 5, gen, lambda s: 0.01, 0, device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.time()
    run_steps(model, opt, padded, ytr, order[5 * batch:], batch, 20, gen, lambda s: 0.01, 0, device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.time() - t0) / 20


def train(name, data, device, epochs, batch, seed, out, log):
    arch, build, lr, _ = MODELS[name]
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    model = build().to(device).to(memory_format=torch.channels_last)
    padded = F.pad(xtr, (4, 4, 4, 4))
    opt = make_optimizer(model, lr, 5e-4)
    per_epoch = len(ytr) // batch  # the last partial batch is dropped
    total = epochs * per_epoch
    warm = per_epoch  # one epoch of linear warm-up, then cosine to zero
    lr_at = lambda s: lr * (s + 1) / warm if s < warm else lr * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    t0 = time.time()
    for e in range(epochs):
        order = torch.randperm(len(ytr), device=device, generator=gen)
        loss = run_steps(model, opt, padded, ytr, order, batch, per_epoch, gen, lr_at, e * per_epoch, device)
        if (e + 1) % 5 == 0 or e + 1 == epochs:
            print("%s epoch %d/%d: loss %.4f, test accuracy %.4f, %.1f s" % (
                name, e + 1, epochs, loss, accuracy(model, xte, yte, device), time.time() - t0), file=log, flush=True)
    seconds = time.time() - t0
    torch.backends.cudnn.allow_tf32 = False  # the reported accuracy is float32's, as the engine evaluates
    torch.backends.cuda.matmul.allow_tf32 = False
    acc = accuracy(model, xte, yte, device)
    torch.backends.cudnn.allow_tf32 = True
    path = os.path.join(out, name + ".ckpt")
    save_checkpoint(model.cpu(), arch, path)
    summary = {"name": name, "arch": arch, "accuracy": acc, "epochs": epochs, "batch": batch, "lr": lr, "seed": seed,
               "train_seconds": round(seconds, 1), "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
               "torch": torch.__version__,
               "params": sum(p.numel() for p in model.parameters())}
    print(json.dumps(summary), file=log, flush=True)
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the CIFAR-10 JPEG archive (train/<class>/*.jpg, test/<class>/*.jpg)")
    ap.add_argument("--cache", help="npz file holding the decoded images (made when missing)")
    ap.add_argument("--decode-only", action="store_true", help="decode the archive into --cache and stop")
    ap.add_argument("--check", help="print the test accuracy of this engine checkpoint and stop")
    ap.add_argument("--out", default="bench/models")
    ap.add_argument("--epochs", type=int, help="epochs of every model (default: chosen to end before --deadline)")
    ap.add_argument("--deadline", type=float, help="Unix time by which every model must be trained")
    ap.add_argument("--max-epochs", type=int, default=60)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N training images only (quick runs)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("names", nargs="*", default=list(MODELS))
    args = ap.parse_args()
    for n in args.names:
        if n not in MODELS:
            sys.exit("error: unknown model %s (known: %s)" % (n, ", ".join(MODELS)))
    xtr, ytr, xte, yte = load_cifar(args.data, args.cache)
    if args.decode_only:
        return
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    xtr = torch.from_numpy(xtr).permute(0, 3, 1, 2).contiguous()
    xte = torch.from_numpy(xte).permute(0, 3, 1, 2).contiguous()
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    if args.check:
        arch, state = load_checkpoint(args.check)
        model = MODELS[ARCH_TO_MODEL[arch]][1]()
        model.load_state_dict(state, strict=True)
        model = model.to(device).to(memory_format=torch.channels_last)
        print(json.dumps({"model": args.check, "arch": arch, "accuracy": accuracy(model, xte, yte, device)}))
        return
    if args.limit:  # a random subset: the images are sorted by class
        keep = torch.randperm(len(ytr), generator=torch.Generator().manual_seed(args.seed))[:args.limit]
        xtr, ytr = xtr[keep], ytr[keep]
    data = (xtr.to(device), ytr.to(device), xte, yte)
    os.makedirs(args.out, exist_ok=True)
    results = []
    for i, name in enumerate(args.names):
        epochs = args.epochs
        if epochs is None:
            if args.deadline is None:
                sys.exit("error: give --epochs or --deadline")
            weights = [MODELS[n][3] for n in args.names[i:]]
            share = (args.deadline - time.time()) * weights[0] / sum(weights)
            per_step = step_seconds(MODELS[name][1], F.pad(data[0], (4, 4, 4, 4)), data[1], args.batch, device, MODELS[name][2])
            per_epoch = per_step * (len(data[1]) // args.batch) + 0.3  # + the test evaluation every few epochs
            epochs = max(1, min(args.max_epochs, int((share - 10) / per_epoch)))
            print("%s: %.1f ms per step, %.0f s of budget -> %d epochs" % (name, per_step * 1e3, share, epochs), flush=True)
        results.append(train(name, data, device, epochs, args.batch, args.seed, args.out, sys.stdout))
    with open(os.path.join(args.out, "models.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
