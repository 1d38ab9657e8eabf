# Reference values for the quantizer tests (tests/Sweeps.Training.Tests/Quant*.cs), computed with PyTorch
# independently of Sweeps: EWGS as the EWGS authors' discretizer, LSQ with the (s - s g).detach() + s g trick,
# PACT's gradient formula, DoReFa's weight formula. Inputs come from closed formulas shared with the C# side.
import json, math
import torch

torch.set_grad_enabled(True)
N = 24
idx = torch.arange(N, dtype=torch.float64)
x = (2.5 * torch.sin(0.37 * idx + 0.1) + 0.3).float()      # activations
w = (0.2 * torch.sin(0.53 * idx + 0.2)).float()            # weights
gout = torch.cos(0.29 * idx + 0.4).float()                 # upstream gradient

def L(t): return [float(v) for v in t.reshape(-1)]

class EWGS(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x_in, levels, delta):
        x_out = torch.round(x_in * (levels - 1)) / (levels - 1)
        ctx.delta = delta
        ctx.save_for_backward(x_in - x_out)
        return x_out
    @staticmethod
    def backward(ctx, g):
        diff, = ctx.saved_tensors
        return g * (1 + ctx.delta * torch.sign(g) * diff), None, None

def ewgs(v, bits, delta, weights):
    v = v.clone()
    if weights:
        u0, l0 = 3 * v.std().item(), -3 * v.std().item()
    else:
        u0, l0 = 3 * v.std().item() / math.sqrt(1 - 2 / math.pi), v.min().item()
    def disc(v, l, u, d):
        xq = EWGS.apply(torch.clamp((v - l) / (u - l), 0, 1), 2 ** bits, d)
        return 2 * (xq - 0.5) if weights else xq
    with torch.no_grad():
        s0 = (v.abs().mean() / disc(v, torch.tensor(l0), torch.tensor(u0), 0.0).abs().mean()).item()
    v.requires_grad_(True)
    l = torch.tensor(l0, requires_grad=True); u = torch.tensor(u0, requires_grad=True); s = torch.tensor(s0, requires_grad=True)
    out = disc(v, l, u, delta) * s
    (out * gout).sum().backward()
    return dict(lower=l0, upper=u0, scale=s0, out=L(out.detach()), gx=L(v.grad), gl=l.grad.item(), gu=u.grad.item(), gs=s.grad.item())

def lsq(v, bits, signed, n_features):
    qn, qp = (2 ** (bits - 1), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    s0 = 2 * v.abs().mean().item() / math.sqrt(qp)
    v = v.clone().requires_grad_(True)
    s = torch.tensor(s0, requires_grad=True)
    g = 1.0 / math.sqrt(n_features * qp)
    sg = (s - s * g).detach() + s * g
    t = torch.clamp(v / sg, -qn, qp)
    out = (t.round() - t).detach() + t
    out = out * sg
    (out * gout).sum().backward()
    return dict(step=s0, out=L(out.detach()), gx=L(v.grad), gs=s.grad.item())

def pact(v, bits, alpha):
    y = torch.clamp(v, 0, alpha)
    n = 2 ** bits - 1
    out = torch.round(y * n / alpha) * alpha / n
    gx = torch.where((v > 0) & (v < alpha), gout, torch.zeros_like(gout))
    galpha = gout[v >= alpha].sum()
    return dict(out=L(out), gx=L(gx), galpha=galpha.item())

def dorefa(v, bits):
    v = v.clone().requires_grad_(True)
    t = torch.tanh(v)
    z = t / (2 * t.abs().max()) + 0.5
    n = 2 ** bits - 1
    q = z + (torch.round(z * n) / n - z).detach()
    out = 2 * q - 1
    (out * gout).sum().backward()
    return dict(out=L(out.detach()), gx=L(v.grad))

print(json.dumps(dict(
    ewgs_w3_d0=ewgs(w, 3, 0.0, True),
    ewgs_w3_d03=ewgs(w, 3, 0.3, True),
    ewgs_a2_d02=ewgs(x, 2, 0.2, False),
    lsq_w3=lsq(w, 3, True, N),
    lsq_a2=lsq(torch.relu(x), 2, False, N // 2),
    pact_a2=pact(x, 2, 2.0),
    dorefa_w3=dorefa(w, 3),
)))
