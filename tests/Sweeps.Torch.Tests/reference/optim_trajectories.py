"""Reference trajectories of SGD, Adam and AdamW with two parameter groups (PyTorch 1.13).

Problem (identical in OptimTests.cs): three float32 tensors,
  a1 [2,3]: sin(0.37 i + 0.1),  a2 [4]: cos(0.21 i + 0.3)   -> group A
  b1 [3]:   0.5 + 0.1 i                                      -> group B
loss = sum over tensors of sum_i 0.5 k_i p_i^2 + c_i p_i, with k_i = 1 + 0.3 (i mod 5) and
c_i = 0.2 cos(0.5 i + 0.7) (i = flat index inside the tensor).
Prints {config: [[a1..., a2..., b1...] after step 1, ..., after step 5]} plus the values of
torch's CosineAnnealingLR(T_max=10) for epochs 0..10 (base lr 1).
"""
import json
import math

import torch

torch.set_num_threads(1)
STEPS = 5


def params():
    a1 = torch.tensor([math.sin(0.37 * i + 0.1) for i in range(6)], dtype=torch.float32).reshape(2, 3)
    a2 = torch.tensor([math.cos(0.21 * i + 0.3) for i in range(4)], dtype=torch.float32)
    b1 = torch.tensor([0.5 + 0.1 * i for i in range(3)], dtype=torch.float32)
    return [p.requires_grad_() for p in (a1, a2, b1)]


def loss_of(ps):
    total = 0
    for p in ps:
        n = p.numel()
        k = torch.tensor([1 + 0.3 * (i % 5) for i in range(n)], dtype=torch.float32).reshape(p.shape)
        c = torch.tensor([0.2 * math.cos(0.5 * i + 0.7) for i in range(n)], dtype=torch.float32).reshape(p.shape)
        total = total + (p.square() * k * 0.5 + c * p).sum()
    return total


CONFIGS = {
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), dict(lr=0.02, weight_decay=0.0)),
    "sgd_dampening": (torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.001), dict(lr=0.2, weight_decay=0.05)),
    "adam": (torch.optim.Adam, dict(lr=0.05, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.01), dict(lr=1e-3, weight_decay=0.0)),
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.03, amsgrad=True, weight_decay=0.1), dict(lr=0.01)),
    "adamw": (torch.optim.AdamW, dict(lr=0.05, weight_decay=0.1), dict(lr=1e-2, weight_decay=0.0)),
}

result = {}
for name, (cls, defaults, group_b) in CONFIGS.items():
    a1, a2, b1 = params()
    opt = cls([{"params": [a1, a2]}, dict(params=[b1], **group_b)], **defaults)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_of([a1, a2, b1]).backward()
        opt.step()
        trajectory.append([float(v) for p in (a1, a2, b1) for v in p.detach().flatten().tolist()])
    result[name] = trajectory

w = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0)
cosine = []
for epoch in range(11):
    cosine.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
result["cosine_T10"] = cosine

print(json.dumps(result))
