# Reference values for the method tests (tests/Sweeps.Training.Tests/Method*.cs), computed with PyTorch independently
# of Sweeps: SQAKD's DistillKL, MEC's coding length by the literal matrix power series (as in xinliu20/MEC) with the
# mixture of experts of METHODS.md, and FPQ's channel-wise standardisation distillation written out with torch ops.
# Inputs are the closed formula of NNTestData.Formula: scale * sin(0.37 i + offset + 0.1), i the row-major index.
import json, math
import torch
import torch.nn.functional as F

torch.set_grad_enabled(True)

def formula(shape, offset=0.0, scale=1.0):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (scale * torch.sin(0.37 * i + offset + 0.1)).float().reshape(shape)

def L(t): return [float(v) for v in t.detach().reshape(-1)]

out = {}

# SQAKD / CR: T^2 KL(softmax(z_t/T) || softmax(z_s/T)), batch mean (SQAKD's DistillKL).
def distill_kl(z_s, z_t, T):
    p_s = F.log_softmax(z_s / T, dim=1)
    p_t = F.softmax(z_t / T, dim=1)
    return F.kl_div(p_s, p_t, reduction="sum") * T ** 2 / z_s.shape[0]

z_t = formula([5, 7], 0.0, 2.0)
for T in (4.0, 1.0):
    z_s = formula([5, 7], 1.3, 1.5).requires_grad_(True)
    kl = distill_kl(z_s, z_t, T)
    kl.backward()
    out[f"kl_T{int(T)}"] = dict(value=kl.item(), grad=L(z_s.grad))

# MEC: R = -(1/(m lambda)) tr(sum_{k=1..4} (-1)^(k+1) C^k / k), C = lambda Z Z^T, lambda = d/(m eps2), eps2 = 64.
def mec_r(f):
    m, d = f.shape
    z = F.normalize(f, dim=1)
    lam = d / (m * 64.0)
    c = lam * z @ z.T
    power = c
    total = torch.zeros_like(c)
    for k in range(1, 5):
        if k > 1:
            power = power @ c
        total = total + ((-1) ** (k + 1)) * power / k
    return -torch.trace(total) / (m * lam)

def mec_mixture(f, gate):
    K, d = gate.numel(), f.shape[1]
    rs = [mec_r(f[:, k * d // K:(k + 1) * d // K]) for k in range(K)]
    return (torch.softmax(gate, 0) * torch.stack(rs)).sum(), [r.item() for r in rs]

f = formula([8, 64], 0.3, 1.0).requires_grad_(True)
gate = torch.tensor([0.1, -0.2, 0.3, 0.0], requires_grad=True)
r, experts = mec_mixture(f, gate)
r.backward()
out["mec"] = dict(value=r.item(), experts=experts, grad_features=L(f.grad), grad_gate=L(gate.grad))
f1 = formula([8, 64], 0.3, 1.0)
out["mec_single"] = dict(value=mec_r(f1).item())
with torch.no_grad():
    f64 = f1.double()
    m, d = f64.shape
    lam = d / (m * 64.0)
    z = F.normalize(f64, dim=1)
    c = lam * z @ z.T
    out["mec_single"]["exact"] = (-torch.logdet(torch.eye(m, dtype=torch.float64) + c) / (m * lam)).item()

# FPQ: channel-wise standardisation distillation, mean over blocks of mean((std(s) - std(t))^2).
def standardize(x, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)

s0 = formula([2, 3, 4, 4], 0.2, 1.0).requires_grad_(True)
s1 = formula([2, 5, 2, 2], 0.7, 2.0).requires_grad_(True)
t0 = formula([2, 3, 4, 4], 1.1, 0.5)
t1 = formula([2, 5, 2, 2], -0.4, 3.0)
csd = (((standardize(s0) - standardize(t0)) ** 2).mean() + ((standardize(s1) - standardize(t1)) ** 2).mean()) / 2
csd.backward()
out["csd"] = dict(value=csd.item(), grad_block0=L(s0.grad), grad_block1=L(s1.grad))

print(json.dumps(out))
