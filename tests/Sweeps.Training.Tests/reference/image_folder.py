"""PIL / torchvision reference for Sweeps.Training.Data.ImageFolderReader.

  image_folder.py SIZE FILE [FILE ...]

For each file prints (a JSON list) the image as torchvision's ImageFolder pipeline sees it: PIL's
Image.open(f).convert("RGB"), then (SIZE > 0) transforms.Resize(SIZE) and transforms.CenterCrop(SIZE) (bilinear),
as [C][H][W] bytes.
"""
import json
import sys

import numpy as np
from PIL import Image
from torchvision import transforms

size = int(sys.argv[1])
out = []
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        image = Image.open(f).convert("RGB")
    if size > 0:
        image = transforms.CenterCrop(size)(transforms.Resize(size)(image))
    out.append(np.asarray(image).transpose(2, 0, 1).tolist())
print(json.dumps(out))
