"""torchvision 0.14 reference for Sweeps.Training.Models.ResNet18 / MobileNetV2 (Debian's python3-torchvision).

  torchvision_models.py NAME CLASSES SIZE SMALL SEED OURS TV [NAME ...]   (7 arguments per model)

NAME is resnet18 or mobilenetv2, SMALL 1 for the small-input stem (resnet18: conv1 stride 1, no max pool;
mobilenetv2: features.0 and features.2 with stride 1), OURS a state dict saved from C#, TV where to save the
state dict of a torchvision model (random weights, BN statistics made non-trivial). Prints a JSON list, one object
per model:
  keys          [[key, shape], ...] of torchvision's state_dict(), in order
  param_count   number of parameter elements
  init_sums     {key: float64 sum} of the parameters of the model built after torch.manual_seed(SEED)
  ours_logits   eval-mode logits of torchvision's model with OURS loaded (strict), on input B
  tv_logits     eval-mode logits of the model saved to TV, on input B
Input B [2, 3, SIZE, SIZE] is sin(0.37 i + 0.1) for the row-major index i.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torchvision

torch.set_num_threads(1)


def build(name, classes, small):
    if name == "resnet18":
        model = torchvision.models.resnet18(num_classes=classes)
        if small:
            model.conv1.stride = (1, 1)
            model.maxpool = nn.Identity()
    elif name == "mobilenetv2":
        model = torchvision.models.mobilenet_v2(num_classes=classes)
        if small:
            model.features[0][0].stride = (1, 1)
            model.features[2].conv[1][0].stride = (1, 1)
    else:
        raise ValueError(name)
    return model


def flat(t):
    return [float(v) for v in t.detach().double().flatten().tolist()]


def main(args):
    results = []
    for i in range(0, len(args), 7):
        name, classes, size, small, seed, ours, tv = args[i:i + 7]
        classes, size, small, seed = int(classes), int(size), small == "1", int(seed)
        torch.manual_seed(seed)
        model = build(name, classes, small)
        entry = {
            "keys": [[key, list(v.shape)] for key, v in model.state_dict().items()],
            "param_count": sum(p.numel() for p in model.parameters()),
            "init_sums": {key: float(p.detach().double().sum()) for key, p in model.named_parameters()},
        }
        n = 2 * 3 * size * size
        x = torch.tensor([math.sin(0.37 * j + 0.1) for j in range(n)], dtype=torch.float32).reshape(2, 3, size, size)

        model.load_state_dict(torch.load(ours), strict=True)
        model.eval()
        with torch.no_grad():
            entry["ours_logits"] = flat(model(x))

        # Another random model whose BN statistics and affine parameters are not their defaults.
        torch.manual_seed(seed + 1000)
        other = build(name, classes, small)
        with torch.no_grad():
            for m in other.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.num_batches_tracked.fill_(7)
        torch.save(other.state_dict(), tv)
        other.eval()
        with torch.no_grad():
            entry["tv_logits"] = flat(other(x))
        results.append(entry)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
