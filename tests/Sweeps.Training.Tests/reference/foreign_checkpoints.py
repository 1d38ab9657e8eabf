"""Writes, with PyTorch 1.13's torch.save, two real checkpoints that do not fit the trainer tests' ResNet-20
(1 input channel, 10 classes), as a user might bring them:

  foreign_checkpoints.py OUT_DIR

  resnet32-rgb-100.pt     a ResNet-32 for 3-channel input and 100 classes: model.state_dict()
  dataparallel-resnet20.pt  the matching ResNet-20 (1 channel, 10 classes) saved from nn.DataParallel:
                          every key is prefixed with 'module.'

Prints {file name: [keys in file order]} as JSON.
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import build  # noqa: E402

out = sys.argv[1]
torch.manual_seed(0)
files = {
    "resnet32-rgb-100.pt": build("resnet32", 3, 100).state_dict(),
    "dataparallel-resnet20.pt": nn.DataParallel(build("resnet20", 1, 10)).state_dict(),
}
for name, state in files.items():
    torch.save(state, os.path.join(out, name))
print(json.dumps({name: list(state.keys()) for name, state in files.items()}))
