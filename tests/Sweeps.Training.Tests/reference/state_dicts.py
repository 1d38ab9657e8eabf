# Opens state-dict files with torch.load (PyTorch 1.13) and prints, per file, every key with its shape, strides, dtype
# and the sum of its values as float64: the trainer's model.pt / checkpoint files must open in Python unchanged, in the
# standard (row-major) layout whatever memory format the run trained in.
import json
import sys

import torch

out = {}
for path in sys.argv[1:]:
    state = torch.load(path)
    out[path] = {
        k: {"shape": list(v.shape), "stride": list(v.stride()), "dtype": str(v.dtype).replace("torch.", ""),
            "sum": float(v.double().sum())}
        for k, v in state.items()
    }
print(json.dumps(out))
