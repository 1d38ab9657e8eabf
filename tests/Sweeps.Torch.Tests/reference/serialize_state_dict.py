"""Cross-checks of state-dict files between Sweeps.Torch and PyTorch 1.13 (torch.save / torch.load).

  serialize_state_dict.py read FILE    torch.load(FILE) and print its entries
  serialize_state_dict.py write DIR    write reference files into DIR and print their entries

An entry is printed as {"name", "shape", "stride", "dtype" (e.g. "torch.float32"), "sum" (float64 sum),
"values" (flattened, as Python floats or ints)}, in the dict's order.
"""
import collections
import json
import math
import sys

import torch
import torch.nn as nn

torch.set_num_threads(1)


def describe(d):
    out = []
    for name, t in d.items():
        out.append({
            "name": name,
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "dtype": str(t.dtype),
            "sum": float(t.double().sum()),
            "values": [float(v) if t.is_floating_point() else int(v) for v in t.flatten().tolist()],
            "type": type(d).__name__,
        })
    return out


def model():
    """A small conv + BatchNorm + linear model with weights from a closed formula and BN statistics
    updated by one training-mode forward pass (so running_mean/var and num_batches_tracked = 1 are
    not their defaults)."""
    m = nn.Sequential(collections.OrderedDict([
        ("conv", nn.Conv2d(1, 2, 3)),
        ("bn", nn.BatchNorm2d(2)),
        ("relu", nn.ReLU()),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(8, 3)),
    ]))
    with torch.no_grad():
        k = 0
        for p in m.parameters():
            p.copy_(torch.tensor([math.sin(0.3 * (k + i) + 0.2) for i in range(p.numel())]).reshape(p.shape))
            k += p.numel()
        x = torch.tensor([math.cos(0.11 * i) for i in range(2 * 1 * 4 * 4)]).reshape(2, 1, 4, 4)
    m.train()
    m(x)
    return m


def write(folder):
    plain = {
        "weight": torch.tensor([math.sin(0.37 * i + 0.1) for i in range(12)], dtype=torch.float32).reshape(3, 4),
        "steps": torch.tensor([3, -7, 1 << 40], dtype=torch.int64),
        "scale": torch.tensor(0.125, dtype=torch.float64),
        "mask": torch.tensor([True, False, True]),
        "param": nn.Parameter(torch.tensor([1.5, -2.5])),
    }
    # A view: the file holds the whole storage, the tensor only its slice.
    base = torch.arange(20, dtype=torch.float32)
    plain["view"] = base[5:11].reshape(2, 3).t()
    torch.save(plain, f"{folder}/plain.pt")
    m = model()
    torch.save(m.state_dict(), f"{folder}/model.pt")
    torch.save({"weight": torch.ones(2), "epoch": 3}, f"{folder}/not_tensor.pt")
    torch.save({"weight": torch.ones(2)}, f"{folder}/legacy.pt", _use_new_zipfile_serialization=False)
    torch.save([torch.ones(2)], f"{folder}/list.pt")
    print(json.dumps({
        "plain": describe(torch.load(f"{folder}/plain.pt")),
        "model": describe(torch.load(f"{folder}/model.pt")),
    }))


def read(path):
    d = torch.load(path)
    print(json.dumps({"type": type(d).__name__, "entries": describe(d)}))


if sys.argv[1] == "write":
    write(sys.argv[2])
else:
    read(sys.argv[2])
