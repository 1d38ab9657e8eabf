"""Reference values for TensorOpsTests, computed with Debian's python3-torch 1.13 (CPU).

Run: /usr/bin/python3 ops.py  -> prints {name: [flattened float values]} as JSON.
Inputs are closed formulas, built identically in TensorOpsTests.cs:
  x[i] = sin(0.37 i + 0.1)              (float32)
  p[i] = cos(0.23 i + 0.2) + 1.5        (float32, positive)
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def seq(n, f):
    return torch.tensor([f(i) for i in range(n)], dtype=torch.float32)


def X(*shape):
    n = math.prod(shape)
    return seq(n, lambda i: math.sin(0.37 * i + 0.1)).reshape(shape)


def P(*shape):
    n = math.prod(shape)
    return seq(n, lambda i: math.cos(0.23 * i + 0.2) + 1.5).reshape(shape)


out = {}


def put(name, t):
    out[name] = [float(v) for v in t.detach().reshape(-1).tolist()]


x, p = X(3, 4), P(3, 4)
put("add_alpha", torch.add(x, p, alpha=2.5))
put("sub", x - p)
put("mul", x * p)
put("div", x / p)
put("rdiv", 2.0 / p)
put("rsub", 3.0 - x)
put("pow_scalar", p ** 1.7)
put("pow_tensor", p ** x)
put("neg", -x)
put("abs", x.abs())
put("sign", x.sign())
put("round", (x * 3.5).round())
put("floor", (x * 3).floor())
put("ceil", (x * 3).ceil())
put("sqrt", p.sqrt())
put("rsqrt", p.rsqrt())
put("exp", x.exp())
put("log", p.log())
put("tanh", (x * 2).tanh())
put("sigmoid", (x * 2).sigmoid())
put("square", x.square())
put("reciprocal", p.reciprocal())
put("clamp", x.clamp(-0.5, 0.5))
put("clamp_min", x.clamp(min=0.2))
put("clamp_tensor", x.clamp(min=torch.full((1, 4), -0.3), max=p * 0.3))
put("minimum", torch.minimum(x, p - 1.5))
put("maximum", torch.maximum(x, p - 1.5))
put("where", torch.where(x > 0, x, p))
put("gt", (x > 0.1).float())
put("le_tensor", (x <= p - 1.5).float())
put("matmul", x @ P(4, 2))
put("transpose", x.t().contiguous())
put("cat1", torch.cat([x, p], 1))
put("stack0", torch.stack([x, p], 0))
put("eye", torch.eye(3, 4))
put("sum", x.sum().reshape(1))
put("sum_dim1", x.sum(1))
put("mean_dim0_keep", x.mean(0, keepdim=True))
put("var_unbiased", x.var().reshape(1))
put("std_dim1_biased", x.std(1, unbiased=False))
put("logsumexp1", torch.logsumexp(x, 1))
put("norm2", x.norm().reshape(1))
put("max_all", x.max().reshape(1))
mv, mi = x.max(1)
put("max_dim_values", mv)
put("max_dim_indices", mi.float())
put("argmin0", x.argmin(0).float())
tv, ti = x.topk(2, 1)
put("topk_values", tv)
put("topk_indices", ti.float())
put("softmax1", F.softmax(x * 3, 1))
put("log_softmax1", F.log_softmax(x * 3, 1))
target = torch.tensor([1, 0, 3])
put("cross_entropy", F.cross_entropy(x * 3, target).reshape(1))
put("cross_entropy_sum", F.cross_entropy(x * 3, target, reduction="sum").reshape(1))
put("cross_entropy_smooth", F.cross_entropy(x * 3, target, label_smoothing=0.1).reshape(1))
put("nll", F.nll_loss(F.log_softmax(x, 1), target).reshape(1))
put("kl_batchmean", F.kl_div(F.log_softmax(x, 1), F.softmax(p, 1), reduction="batchmean").reshape(1))
put("kl_sum", F.kl_div(F.log_softmax(x, 1), F.softmax(p, 1), reduction="sum").reshape(1))
put("mse", F.mse_loss(x, p).reshape(1))
put("relu", F.relu(x))

xi, w, b = X(2, 3, 5, 5), P(4, 3, 3, 3) - 1.5, X(4) * 0.1
put("conv2d", F.conv2d(xi, w, b, stride=2, padding=1))
put("conv2d_nobias", F.conv2d(xi, w, None, stride=1, padding=0))
put("linear", F.linear(x, P(5, 4) - 1.5, X(5)))
rm, rv = torch.zeros(3), torch.ones(3)
put("bn_train", F.batch_norm(xi, rm, rv, P(3), X(3), training=True, momentum=0.1, eps=1e-5))
put("bn_train_running_mean", rm)
put("bn_train_running_var", rv)
put("bn_eval", F.batch_norm(xi, P(3) - 1.0, P(3), P(3), X(3), training=False, eps=1e-5))
put("max_pool2d", F.max_pool2d(xi, 2, 2, 0))
put("avg_pool2d", F.avg_pool2d(xi, 3, 2, 1))
put("adaptive_avg_pool2d", F.adaptive_avg_pool2d(xi, 1))
put("pad", F.pad(x, (1, 2, 0, 1), value=0.5))
put("flip1", x.flip(1))
put("index_1_slice", x[1, 1:3])
put("index_neg_step", x[:, ::2])
put("index_tensor", x[torch.tensor([2, 0])])
put("index_mask", x[x > 0.5])
y = x.clone()
y[1, 1:3] = torch.tensor([7.0, 8.0])
put("index_put", y)
put("narrow", x.narrow(1, 1, 2))
put("gather", x.gather(1, torch.tensor([[0, 1], [2, 3], [1, 1]])))
put("index_select", x.index_select(1, torch.tensor([3, 0])))
put("permute", X(2, 3, 4).permute(2, 0, 1).contiguous())
put("expand", X(3, 1).expand(3, 4).contiguous())
put("repeat", X(2).repeat(2, 3))

a = X(4, 4)
spd = a @ a.t() + torch.eye(4)
sign, logabs = torch.linalg.slogdet(spd)
put("slogdet", torch.stack([sign, logabs]))
put("eigvalsh", torch.linalg.eigvalsh(spd))
put("trace", spd.trace().reshape(1))
put("diag", spd.diag())

print(json.dumps(out))
