"""PyTorch 1.13 reference for Sweeps.Training.Models: builds resnet20 / resnet32 / vgg8 as the usual PyTorch
implementations do and checks them against state dicts saved from C#.

  models.py NAME IN_CHANNELS CLASSES HEIGHT WIDTH SEED FILE [NAME ...]   (7 arguments per model)

For each model prints (a JSON list, one object per model):
  keys          [[key, shape], ...] of state_dict(), in order
  param_count   number of parameter elements; weight_count: elements of conv / linear weights
  init_sums     {key: float64 sum} of the parameters of the model built after torch.manual_seed(SEED)
  eval          logits, features (flattened) and stages ([{shape, sum, sumsq, head}]) of the model loaded from FILE,
                in eval mode, on input B
  train_logits  logits in training mode on input B (after the eval pass)
  train_state   {key: float64 sum} of the state after that training-mode pass (BN running statistics updated)
Input B [2, C, H, W] is sin(0.37 i + 0.1) for the row-major index i.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


def init_convs(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


class ResNetCifar(nn.Module):
    def __init__(self, n, in_channels, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for s, width in enumerate([16, 32, 64]):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(in_planes, width, 2 if s > 0 and b == 0 else 1))
                in_planes = width
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(64, classes)
        init_convs(self)

    def stages(self):
        return [self.layer1, self.layer2, self.layer3]

    def forward_all(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        outs = []
        for stage in self.stages():
            x = stage(x)
            outs.append(x)
        features = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(features), features, outs


class Vgg8(nn.Module):
    def __init__(self, in_channels, classes):
        super().__init__()
        in_planes = in_channels
        for s, width in enumerate([64, 128, 256]):
            setattr(self, "layer%d" % (s + 1), nn.Sequential(
                nn.Conv2d(in_planes, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.MaxPool2d(2)))
            in_planes = width
        self.classifier = nn.Linear(256, classes)
        init_convs(self)

    def forward_all(self, x):
        outs = []
        for stage in [self.layer1, self.layer2, self.layer3]:
            x = stage(x)
            outs.append(x)
        features = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.classifier(features), features, outs


def build(name, in_channels, classes):
    if name == "resnet20":
        return ResNetCifar(3, in_channels, classes)
    if name == "resnet32":
        return ResNetCifar(5, in_channels, classes)
    if name == "vgg8":
        return Vgg8(in_channels, classes)
    raise ValueError(name)


def flat(t):
    return [float(v) for v in t.detach().double().flatten().tolist()]


def sums(d):
    return {k: float(v.double().sum()) for k, v in d.items()}


def main(args):
    results = []
    for i in range(0, len(args), 7):
        name, c, k, h, w, seed, path = args[i:i + 7]
        c, k, h, w, seed = int(c), int(k), int(h), int(w), int(seed)
        torch.manual_seed(seed)
        model = build(name, c, k)
        entry = {
            "keys": [[key, list(v.shape)] for key, v in model.state_dict().items()],
            "param_count": sum(p.numel() for p in model.parameters()),
            "weight_count": sum(m.weight.numel() for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))),
            "init_sums": {key: float(p.detach().double().sum()) for key, p in model.named_parameters()},
        }
        model.load_state_dict(torch.load(path))
        n = 2 * c * h * w
        x = torch.tensor([math.sin(0.37 * j + 0.1) for j in range(n)], dtype=torch.float32).reshape(2, c, h, w)
        model.eval()
        with torch.no_grad():
            logits, features, outs = model.forward_all(x)
        entry["eval"] = {
            "logits": flat(logits),
            "features": flat(features),
            "stages": [{"shape": list(o.shape), "sum": float(o.double().sum()), "sumsq": float((o.double() ** 2).sum()),
                        "head": flat(o)[:64]} for o in outs],
        }
        model.train()
        with torch.no_grad():
            logits, _, _ = model.forward_all(x)
        entry["train_logits"] = flat(logits)
        entry["train_state"] = sums(model.state_dict())
        results.append(entry)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
