#!/usr/bin/python3
"""Writes a small image-folder dataset (torchvision's ImageFolder layout) for trying Sweeps on your own data.

  tools/make_image_folder.py OUT [--classes 3] [--train 60] [--val 20] [--size 32] [--seed 0]

OUT/train/<class>/*.png|*.jpg and OUT/val/<class>/*.png|*.jpg: every class is a coloured shape (disc, square,
stripes, ...) at a random place and scale on a noisy background, half of the files PNG and half JPEG. Learnable in
one epoch, not trivially. Needs Debian's python3-pil and python3-numpy (installed by ./sweeps.sh setup).
"""
import argparse
import os

import numpy as np
from PIL import Image

SHAPES = ["disc", "square", "stripes", "cross", "ring", "triangle", "checker", "diagonal"]


def draw(shape, size, rng):
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    cy, cx = rng.uniform(0.3, 0.7, 2) * size
    r = rng.uniform(0.18, 0.32) * size
    if shape == "disc":
        mask = (y - cy) ** 2 + (x - cx) ** 2 < r ** 2
    elif shape == "square":
        mask = (abs(y - cy) < r) & (abs(x - cx) < r)
    elif shape == "stripes":
        mask = np.sin(x * 2 * np.pi / max(r / 1.5, 2)) > 0
    elif shape == "cross":
        mask = (abs(y - cy) < r / 3) | (abs(x - cx) < r / 3)
    elif shape == "ring":
        d = np.sqrt((y - cy) ** 2 + (x - cx) ** 2)
        mask = (d < r) & (d > r / 2)
    elif shape == "triangle":
        mask = (y - cy < r) & (y - cy > -r) & (abs(x - cx) < (y - cy + r) / 2)
    elif shape == "checker":
        mask = ((x // max(r / 2, 1)) + (y // max(r / 2, 1))) % 2 == 0
    else:
        mask = np.sin((x + y) * 2 * np.pi / max(r, 2)) > 0
    return mask


def image(label, size, rng):
    base = rng.uniform(60, 200, 3)
    pixels = base + rng.normal(0, 25, (size, size, 3))
    colour = np.array([(label * 97) % 256, (label * 53 + 128) % 256, (label * 151 + 64) % 256], dtype=np.float32)
    mask = draw(SHAPES[label % len(SHAPES)], size, rng)
    pixels[mask] = 0.3 * pixels[mask] + 0.7 * colour
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--train", type=int, default=60, help="train images per class")
    parser.add_argument("--val", type=int, default=20, help="val images per class")
    parser.add_argument("--size", type=int, default=32, help="side of the images in pixels")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    count = 0
    for split, per_class in (("train", args.train), ("val", args.val)):
        for label in range(args.classes):
            folder = os.path.join(args.out, split, "class%02d_%s" % (label, SHAPES[label % len(SHAPES)]))
            os.makedirs(folder, exist_ok=True)
            for i in range(per_class):
                img = image(label, args.size, rng)
                if i % 2 == 0:
                    img.save(os.path.join(folder, "%04d.png" % i))
                else:
                    img.save(os.path.join(folder, "%04d.jpg" % i), quality=90)
                count += 1
    print("wrote %d images (%d classes, %dx%d) to %s" % (count, args.classes, args.size, args.size, os.path.abspath(args.out)))


if __name__ == "__main__":
    main()
