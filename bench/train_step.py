#!/usr/bin/python3
"""Train-step benchmark, PyTorch side (Debian python3-torch 1.13, /usr/bin/python3).

The same workload as `Sweeps.Bench train-step` (the C# side), so the two step times compare the
binding, not the model:

* Model: CIFAR-style ResNet-20 for 1x28x28 inputs. Stem conv3x3(1->16) + BN + ReLU; three stages
  of three BasicBlocks with 16, 32, 64 channels (the first block of stages 2 and 3 has stride 2:
  28 -> 14 -> 7); a BasicBlock is conv3x3(stride) + BN + ReLU + conv3x3 + BN, plus the shortcut,
  then ReLU. Where the shape changes (stride 2 or more channels) the shortcut is a projection,
  conv1x1(stride, no bias) + BN (option B), not the paper's zero-padding option A. Every conv has
  no bias. Then global average pooling and Linear(64 -> 10). Default PyTorch initialisation.
* Data: one random batch made once with a fixed seed (x ~ N(0,1) of shape [B,1,28,28], labels
  uniform in 0..9), reused every step: no data loading is timed.
* Optimiser: SGD lr 0.05, momentum 0.9, Nesterov, weight decay 5e-4. Loss: cross-entropy.
* Step: zero_grad(), forward, loss, backward, step; timed with a wall clock per step after
  `--warmup` untimed steps.
* Settings: PyTorch's defaults (train mode, float32, contiguous NCHW) except the intra-op thread
  count, set with torch.set_num_threads(--threads). With --channels-last, the model and the batch
  are converted with .to(memory_format=torch.channels_last) once before the first step (PyTorch's
  recipe for channels-last training).

Prints one JSON line at the end:
{"side":"pytorch","layout":"nchw"|"channels_last","median_step_ms":..,"mean_step_ms":..,"peak_rss_mb":..,"rss_start_mb":..,"rss_end_mb":..,"steps":..}
peak_rss_mb is VmHWM from /proc/self/status, rss_start_mb is VmRSS after the warmup, rss_end_mb
VmRSS at the end (MiB).
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class ResNet20(nn.Module):
    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out = self.blocks(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


def status_mb(field):
    """A memory field of /proc/self/status (VmRSS, VmHWM) in MiB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise KeyError(field)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="intra-op threads")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rss-growth", action="store_true", help="accepted for symmetry with the C# side")
    parser.add_argument("--channels-last", action="store_true", help="train in torch.channels_last (model and batch)")
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.threads < 1 or args.batch < 1:
        parser.error("--steps, --threads and --batch must be >= 1, --warmup >= 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = ResNet20()
    model.train()
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(args.warmup):
        step()
    rss_start = status_mb("VmRSS")
    times_ms = []
    loss = None
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        times_ms.append((time.perf_counter() - start) * 1000.0)
    if not torch.isfinite(loss):
        raise SystemExit(f"train_step.py: loss is not finite ({loss.item()})")

    print(json.dumps({
        "side": "pytorch",
        "layout": "channels_last" if args.channels_last else "nchw",
        "median_step_ms": round(statistics.median(times_ms), 3),
        "mean_step_ms": round(statistics.fmean(times_ms), 3),
        "peak_rss_mb": round(status_mb("VmHWM"), 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(status_mb("VmRSS"), 1),
        "steps": args.steps,
        "threads": args.threads,
        "batch": args.batch,
        "final_loss": round(loss.item(), 4),
    }), flush=True)


if __name__ == "__main__":
    main()
