#!/usr/bin/python3
"""Reference values for the dataset tests (gpu-worker engine.data), computed independently of the Java code.

Run from the repository root with Debian's Python (numpy, torch 1.13, PIL):
    /usr/bin/python3 tools/reference/dataset_fixtures.py
Writes gpu-worker/src/test/resources/fixtures/datasets/:
  fashion-mnist.json   sizes, label histograms, pixel sums of a few images (real Fashion-MNIST),
                       and the colourised (RGB) images: palette picks, channel sums, one full image
  resize/*.png         test images;  resize/*.torch.f32 and *.pil.f32: Resize(resize)+CenterCrop(crop)
                       of each, float32 little-endian CHW (the large image: every 7th value only)
  resize.json          which image, sizes and which file holds what
"""
import gzip
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

FMNIST = "/usr/share/datasets/fashion-mnist"
OUT = "gpu-worker/src/test/resources/fixtures/datasets"
MASK = (1 << 64) - 1


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * d:8 + 4 * d], "big") for d in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


# --- colourised Fashion-MNIST, re-implemented from docs/datasets.md -------------------------------
PALETTE = np.array([
    [1.00, 1.00, 1.00], [0.00, 0.00, 0.00], [0.90, 0.10, 0.10], [0.10, 0.70, 0.20],
    [0.15, 0.30, 0.90], [0.95, 0.85, 0.10], [0.10, 0.80, 0.85], [0.80, 0.20, 0.75]], dtype=np.float32)
GOLDEN = 0x9E3779B97F4A7C15
INDEX_MIX = 0xD1B54A32D192ED03


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def colours(index, seed):
    state = (seed ^ (index * INDEX_MIX)) & MASK   # SplittableRandom(seed ^ index*INDEX_MIX)
    a = mix64((state + GOLDEN) & MASK)            # first nextLong()
    b = mix64((state + 2 * GOLDEN) & MASK)        # second nextLong()
    obj = a % 8
    bg = b % 7
    if bg >= obj:
        bg += 1
    return int(obj), int(bg)


def rgb(grey_u8, index, seed):
    obj, bg = colours(index, seed)
    g = grey_u8.astype(np.float32) / np.float32(255)
    out = np.empty((3,) + g.shape, dtype=np.float32)
    for c in range(3):
        out[c] = g * PALETTE[obj, c] + (np.float32(1) - g) * PALETTE[bg, c]
    return out


def fashion_mnist():
    result = {}
    for split, prefix, picks in (("test", "t10k", [0, 1, 2, 42, 1234, 9999]),
                                 ("train", "train", [0, 1, 59999])):
        images = read_idx(f"{FMNIST}/{prefix}-images-idx3-ubyte.gz")
        labels = read_idx(f"{FMNIST}/{prefix}-labels-idx1-ubyte.gz")
        result[split] = {
            "size": int(images.shape[0]), "rows": int(images.shape[1]), "cols": int(images.shape[2]),
            "labelHistogram": np.bincount(labels, minlength=10).tolist(),
            "images": [{"index": i, "label": int(labels[i]), "byteSum": int(images[i].astype(np.int64).sum())}
                       for i in picks],
        }
        if split == "test":
            seed = 2020
            rgb_picks = list(range(20)) + [9999]
            result["rgb"] = {
                "seed": seed,
                "images": [{"index": i, "colours": list(colours(i, seed)),
                            "channelSums": [float(s) for s in rgb(images[i], i, seed).astype(np.float64).sum(axis=(1, 2))]}
                           for i in rgb_picks],
                "full": {"index": 7, "pixels": [float(v) for v in rgb(images[7], 7, seed).ravel()]},
            }
            # another seed changes the palette picks
            result["rgbSeed7"] = {"seed": 7, "colours": [list(colours(i, 7)) for i in range(20)]}
    with open(f"{OUT}/fashion-mnist.json", "w") as f:
        json.dump(result, f)


# --- Resize(resize) + CenterCrop(crop), torchvision's ImageNet eval transform ------------------------
def make_image(w, h, rng, noise):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 0.5 + 0.5 * np.sin(x / 3.1) * np.cos(y / 5.3)
    g = ((x // 4 + y // 4) % 2).astype(np.float64)          # sharp checkerboard: tests antialiasing
    b = (x + 2 * y) / (w + 2 * h)
    img = np.stack([r, g, b], axis=-1)
    if noise:
        img = img + rng.uniform(-0.3, 0.3, size=img.shape)
    return np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)


def resized_size(w, h, size):
    short, long = (w, h) if w <= h else (h, w)
    if short == size:
        return w, h
    new_long = int(size * long / short)
    return (size, new_long) if w <= h else (new_long, size)


def crop_box(w, h, crop):
    top = int(round((h - crop) / 2.0))
    left = int(round((w - crop) / 2.0))
    return top, left


def torch_eval(u8, resize, crop):
    h, w = u8.shape[:2]
    nw, nh = resized_size(w, h, resize)
    x = torch.from_numpy(u8.astype(np.float32) / np.float32(255)).permute(2, 0, 1).unsqueeze(0)
    if (nw, nh) != (w, h):
        x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
    top, left = crop_box(nw, nh, crop)
    return x[0, :, top:top + crop, left:left + crop].contiguous().numpy()


def pil_eval(u8, resize, crop):
    """What torchvision does on a PIL image: PIL bilinear resize (uint8), crop, ToTensor."""
    img = Image.fromarray(u8, "RGB")
    nw, nh = resized_size(img.width, img.height, resize)
    if (nw, nh) != img.size:
        img = img.resize((nw, nh), Image.BILINEAR)
    top, left = crop_box(nw, nh, crop)
    img = img.crop((left, top, left + crop, top + crop))
    return (np.asarray(img).astype(np.float32) / np.float32(255)).transpose(2, 0, 1).copy()


def resize_fixtures():
    os.makedirs(f"{OUT}/resize", exist_ok=True)
    rng = np.random.default_rng(12345)
    cases = [("down", 97, 75, 64, 56, True, 1), ("up", 23, 31, 40, 32, True, 1),
             ("imagenet", 300, 260, 256, 224, False, 7), ("odd", 51, 40, 33, 28, True, 1)]
    meta = []
    for name, w, h, resize, crop, noise, stride in cases:
        u8 = make_image(w, h, rng, noise)
        Image.fromarray(u8, "RGB").save(f"{OUT}/resize/{name}.png")
        t = torch_eval(u8, resize, crop).ravel()[::stride]
        p = pil_eval(u8, resize, crop).ravel()[::stride]
        t.astype("<f4").tofile(f"{OUT}/resize/{name}.torch.f32")
        p.astype("<f4").tofile(f"{OUT}/resize/{name}.pil.f32")
        meta.append({"name": name, "width": w, "height": h, "resize": resize, "crop": crop,
                     "stride": stride, "count": int(t.size)})
        print(f"{name}: torch vs PIL max |diff| = {np.abs(t - p).max() * 255:.3f}/255, "
              f"mean = {np.abs(t - p).mean() * 255:.4f}/255")
    with open(f"{OUT}/resize.json", "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    fashion_mnist()
    resize_fixtures()
