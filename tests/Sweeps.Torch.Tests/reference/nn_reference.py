"""Reference values for the Sweeps.Torch.NN tests (NNReferenceTests), computed with torch.nn.

Inputs and weights come from closed formulas that the C# tests reproduce:
  input x[i]            = sin(0.37 i + 0.1)                 (flattened row-major index i)
  parameter j, entry i  = 0.3 sin(0.37 i + 0.5 j + 0.1)     (j = index in named_parameters order)
Prints one JSON object.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(Block(8, 8, 1), Block(8, 8, 1))
        self.layer2 = nn.Sequential(Block(8, 16, 2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.0)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(self.dropout(self.flatten(self.avgpool(x))))


def formula(shape, offset=0.0, scale=1.0):
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(0.37 * i + offset + 0.1) for i in range(n)], dtype=torch.float32).reshape(shape)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def set_params(module):
    with torch.no_grad():
        for j, (_, p) in enumerate(module.named_parameters()):
            p.copy_(formula(list(p.shape), 0.5 * j, 0.3))


out = {}

# Names, order and shapes.
net = Net()
out["parameters"] = [[n, list(p.shape)] for n, p in net.named_parameters()]
out["state_dict"] = [[k, list(v.shape), str(v.dtype)] for k, v in net.state_dict().items()]
out["buffers"] = [n for n, _ in net.named_buffers()]
out["modules"] = [n for n, _ in net.named_modules()]
out["children"] = [n for n, _ in net.named_children()]

# Default initialisation from a seed (the global generator, seeded as a fresh generator would be).
torch.manual_seed(1234)
seeded = Net()
out["seeded"] = {n: flat(p) for n, p in seeded.named_parameters()}

# Training-mode forward + backward, then an evaluation-mode forward.
set_params(net)
x = formula([2, 3, 8, 8])
target = torch.tensor([1, 3])
net.train()
y = net(x)
loss = F.cross_entropy(y, target)
loss.backward()
out["train_output"] = flat(y)
out["train_loss"] = float(loss)
out["grads"] = {n: flat(p.grad) for n, p in net.named_parameters()}
out["buffers_after"] = {k: flat(v.float()) for k, v in net.named_buffers()}
net.eval()
with torch.no_grad():
    out["eval_output"] = flat(net(x))

# Single layers.
conv = nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=True)
set_params(conv)
out["conv_output"] = flat(conv(x))
lin = nn.Linear(12, 5)
set_params(lin)
x2 = formula([3, 12])
out["linear_output"] = flat(lin(x2))
bn = nn.BatchNorm2d(3, momentum=None)
set_params(bn)
bn(x)
bn_train = bn(x * 2 + 0.5)
bn.eval()
out["bn_cumulative"] = {
    "train_output": flat(bn_train),
    "running_mean": flat(bn.running_mean),
    "running_var": flat(bn.running_var),
    "num_batches_tracked": int(bn.num_batches_tracked),
    "eval_output": flat(bn(x)),
}
out["maxpool_output"] = flat(nn.MaxPool2d(2)(x))
out["adaptive_output"] = flat(nn.AdaptiveAvgPool2d((2, 3))(x))

# torch.nn.init.
out["gains"] = {
    "linear": nn.init.calculate_gain("linear"),
    "sigmoid": nn.init.calculate_gain("sigmoid"),
    "tanh": nn.init.calculate_gain("tanh"),
    "relu": nn.init.calculate_gain("relu"),
    "leaky_relu": nn.init.calculate_gain("leaky_relu"),
    "leaky_relu_0.2": nn.init.calculate_gain("leaky_relu", 0.2),
    "selu": nn.init.calculate_gain("selu"),
}
out["fans"] = [[s, list(nn.init._calculate_fan_in_and_fan_out(torch.empty(s)))] for s in ([5, 7], [16, 8, 3, 3], [4, 3, 2, 2, 2])]
torch.manual_seed(7)
out["kaiming_normal_fan_out_relu"] = flat(nn.init.kaiming_normal_(torch.empty(16, 8, 3, 3), mode="fan_out", nonlinearity="relu"))
torch.manual_seed(8)
out["kaiming_uniform_default"] = flat(nn.init.kaiming_uniform_(torch.empty(20, 30)))

print(json.dumps(out))
