#!/usr/bin/python3
"""Reference fixtures for the model layer (run with Debian's /usr/bin/python3, torch 1.13).

Writes under gpu-worker/src/test/resources/fixtures/models/:
  tiny-ts.json + tiny-ts.pt    a TorchScript conv net (nn.Sequential, takes *normalized* input) and its card
  tiny-seq.json + tiny-seq.npz the same kind of net as a sequential card + NPZ weights ("0.weight", ...)
  reference.npz                inputs x (N,1,28,28) in [0,1], logits of both models, and the input gradient
                               of sum_i logits[i, target[i]] for both models

Both cards carry mean/std; the convention (gpu-worker/README.md, "Models") is that the network after the
card's normalization is what the file holds, so logits = net((x - mean) / std).
"""
import hashlib
import json
import os

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "gpu-worker", "src", "test", "resources", "fixtures", "models")
MEAN, STD = 0.2860, 0.3530
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def net():
    return nn.Sequential(
        nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(4, 8, 4, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 7 * 7, 16), nn.ReLU(),
        nn.Linear(16, 10))


LAYERS = [
    {"type": "conv2d", "in": 1, "out": 4, "kernel": 4, "stride": 2, "padding": 1, "weight": "0.weight", "bias": "0.bias"},
    {"type": "relu"},
    {"type": "conv2d", "in": 4, "out": 8, "kernel": 4, "stride": 2, "padding": 1, "weight": "2.weight", "bias": "2.bias"},
    {"type": "relu"},
    {"type": "flatten"},
    {"type": "linear", "in": 392, "out": 16, "weight": "5.weight", "bias": "5.bias"},
    {"type": "relu"},
    {"type": "linear", "in": 16, "out": 10, "weight": "7.weight", "bias": "7.bias"},
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def card(model_id, fmt, file, kind):
    return {"id": model_id, "format": fmt, "file": file, "sha256": sha256(os.path.join(OUT, file)),
            "inputShape": [1, 28, 28], "mean": [MEAN], "std": [STD], "classNames": CLASSES,
            "kind": kind, "layers": LAYERS,
            "training": {"note": "random weights, seed fixed; made by tools/reference/make_torchscript_fixture.py"}}


def logits_and_grad(model, x, target):
    x = x.clone().requires_grad_(True)
    z = model((x - MEAN) / STD)
    z.gather(1, target[:, None]).sum().backward()
    return z.detach().numpy(), x.grad.numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)
    ts_net = net().eval()
    seq_net = net().eval()
    x = torch.rand(4, 1, 28, 28, dtype=torch.float32)
    target = torch.tensor([0, 3, 7, 9])

    torch.jit.script(ts_net).save(os.path.join(OUT, "tiny-ts.pt"))
    np.savez(os.path.join(OUT, "tiny-seq.npz"),
             **{k: v.detach().numpy() for k, v in seq_net.state_dict().items()})

    # The sequential reference is an nn.Sequential loaded back from the NPZ file itself.
    loaded = net().eval()
    z = np.load(os.path.join(OUT, "tiny-seq.npz"))
    loaded.load_state_dict({k: torch.from_numpy(z[k]) for k in z.files})

    ts_loaded = torch.jit.load(os.path.join(OUT, "tiny-ts.pt"))
    ts_logits, ts_grad = logits_and_grad(ts_loaded, x, target)
    seq_logits, seq_grad = logits_and_grad(loaded, x, target)
    np.savez(os.path.join(OUT, "reference.npz"), x=x.numpy(), target=target.numpy().astype(np.int64),
             ts_logits=ts_logits, ts_grad=ts_grad, seq_logits=seq_logits, seq_grad=seq_grad)

    for model_id, fmt, file, kind in [
            ("tiny-ts", "torchscript", "tiny-ts.pt", {"type": "smoothed", "sigma": 0.25}),
            ("tiny-seq", "sequential", "tiny-seq.npz", {"type": "ibp", "epsilon": 0.1})]:
        with open(os.path.join(OUT, model_id + ".json"), "w") as f:
            json.dump(card(model_id, fmt, file, kind), f, indent=2)
            f.write("\n")
    print("torch", torch.__version__, "wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
