#!/usr/bin/python3
"""Export a sequential model (card + NPZ) to TorchScript, for Python references and other tools.

Usage (Debian's /usr/bin/python3 with torch):
  /usr/bin/python3 tools/export_torchscript.py models/fmnist-rs-0.25.json
      -> models/torchscript/fmnist-rs-0.25.pt + models/torchscript/fmnist-rs-0.25.json (a torchscript card)
  /usr/bin/python3 tools/export_torchscript.py models/fmnist-rs-0.25.json --with-normalization -o /tmp/f.pt

By default the module is the card's layers only and takes NORMALIZED input, (x - mean) / std: the
ShadowFleet convention for TorchScript files, so the .pt with the same card (format "torchscript") is the
same classifier. With --with-normalization the module takes pixels in [0,1] and normalizes itself (for
Python code that feeds raw pixels); a card for that file would need mean 0 and std 1.

The script checks that the exported module reproduces the nn.Sequential built from the NPZ on random
input, and prints the file's SHA-256 for a card.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import torch
from torch import nn


class Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(-1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def build(card, weights):
    """nn.Sequential with the card's layers at their indices, so state_dict names match the NPZ names."""
    mods = []
    for i, l in enumerate(card["layers"]):
        t = l["type"]
        if t == "conv2d":
            m = nn.Conv2d(l["in"], l["out"], l["kernel"], stride=l["stride"], padding=l["padding"])
        elif t == "linear":
            m = nn.Linear(l["in"], l["out"])
        elif t == "relu":
            m = nn.ReLU()
        elif t == "flatten":
            m = nn.Flatten()
        else:
            raise SystemExit(f"layers[{i}].type {t!r} is not supported")
        if t in ("conv2d", "linear"):
            for attr, key in (("weight", l["weight"]), ("bias", l["bias"])):
                if key not in weights:
                    raise SystemExit(f"weights file has no tensor {key!r} (layers[{i}])")
                getattr(m, attr).data = torch.from_numpy(weights[key].astype(np.float32))
        mods.append(m)
    return nn.Sequential(*mods).eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("card")
    ap.add_argument("-o", "--output")
    ap.add_argument("--with-normalization", action="store_true",
                    help="module takes [0,1] pixels and applies the card's mean/std itself")
    args = ap.parse_args()
    with open(args.card) as f:
        card = json.load(f)
    if card["format"] != "sequential":
        raise SystemExit(f"{args.card}: format {card['format']!r}; only sequential cards are exported")
    npz = os.path.join(os.path.dirname(os.path.abspath(args.card)), card["file"])
    with open(npz, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != card["sha256"]:
            raise SystemExit(f"{npz} does not match the card's sha256")
    weights = dict(np.load(npz))
    seq = build(card, weights)
    module = nn.Sequential(Normalize(card["mean"], card["std"]), seq).eval() if args.with_normalization else seq
    out = args.output
    if out is None:
        folder = os.path.join(os.path.dirname(os.path.abspath(args.card)), "torchscript")
        os.makedirs(folder, exist_ok=True)
        out = os.path.join(folder, card["id"] + ".pt")
    scripted = torch.jit.script(module)
    scripted.save(out)

    c, h, w = card["inputShape"]
    x = torch.rand(8, c, h, w, generator=torch.Generator().manual_seed(0))
    mean = torch.tensor(card["mean"]).view(-1, 1, 1)
    std = torch.tensor(card["std"]).view(-1, 1, 1)
    with torch.no_grad():
        want = seq((x - mean) / std)
        got = torch.jit.load(out)(x if args.with_normalization else (x - mean) / std)
    diff = (want - got).abs().max().item()
    if diff > 1e-5:
        raise SystemExit(f"exported module differs from the NPZ network by {diff}")
    with open(out, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    ts_card = dict(card, format="torchscript", file=os.path.basename(out), sha256=sha)
    if args.with_normalization:
        # the module normalizes by itself; the layer names no longer match (they sit under "1.")
        ts_card.update(mean=[0.0] * c, std=[1.0] * c)
        ts_card.pop("layers", None)
    ts_card["training"] = dict(card.get("training") or {}, exportedFrom=os.path.basename(args.card),
                               exportedWithNormalization=args.with_normalization)
    card_out = os.path.splitext(out)[0] + ".json"
    with open(card_out, "w") as f:
        json.dump(ts_card, f, indent=2)
        f.write("\n")
    kind = "takes [0,1] pixels (normalization inside)" if args.with_normalization else "takes normalized input"
    print(f"{out}: {kind}; max |diff| {diff:.2e}; sha256 {sha}; card {card_out}")


if __name__ == "__main__":
    main()
