"""Random draws of PyTorch 1.13's CPU generator seeded with 42, for GeneratorTests.

Run: /usr/bin/python3 generator.py -> JSON {randn: [...], rand: [...], randperm: [...], bernoulli: [...]}
(the draws happen in this order on one generator).
"""
import json

import torch

g = torch.Generator().manual_seed(42)
out = {
    "randn": torch.randn(6, generator=g).tolist(),
    "rand": torch.rand(6, generator=g).tolist(),
    "randperm": [float(v) for v in torch.randperm(10, generator=g).tolist()],
    "bernoulli": torch.bernoulli(torch.full((8,), 0.5), generator=g).tolist(),
}
print(json.dumps(out))
