#!/usr/bin/python3
"""Python/PyTorch reference of randomized smoothing CERTIFY (Cohen, Rosenfeld & Kolter 2019).

Written from the algorithm in the paper (ALGORITHM.md): n0 selection samples pick the top class,
n fresh samples count it, one-sided Clopper-Pearson lower bound beta.ppf(alpha, k, n-k+1), radius
sigma * norm.ppf(pA), ABSTAIN when pA <= 1/2. Noise N(0, sigma^2) is added in [0,1] pixel space,
not clipped; the normalization is inside the model.

Subcommands:
  train    make a small CNN, train it briefly with Gaussian noise (sigma) on a Fashion-MNIST subset,
           export it as TorchScript (gpu-worker/src/test/resources/fixtures/rs_tiny_cnn.pt)
  certify  certify the first --images test images, write fixtures/<--out> (per-image counts,
           prediction, pA, radius, and the images themselves as bytes)
  bench    certification throughput (noisy samples classified per second) of this reference on a
           TorchScript model with --threads threads; prints one JSON line

Run with /usr/bin/python3 (Debian's torch 1.13), e.g.
  /usr/bin/python3 tools/reference/cohen_certify.py train
  /usr/bin/python3 tools/reference/cohen_certify.py certify --images 5 --n 10000 --out rs_cohen_5.json
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from scipy.stats import beta, norm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "gpu-worker/src/test/resources/fixtures")
DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
NUM_CLASSES = 10


def load_idx(kind):
    with gzip.open(f"{DATA}/{kind}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{DATA}/{kind}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


class Normalize(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor([mean]).view(1, 1, 1, 1))
        self.register_buffer("std", torch.tensor([std]).view(1, 1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def tiny_cnn():
    return torch.nn.Sequential(
        Normalize(MEAN, STD),
        torch.nn.Conv2d(1, 8, 4, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 4, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(16 * 7 * 7, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, NUM_CLASSES))


def train(args):
    torch.manual_seed(args.seed)
    images, labels = load_idx("train")
    x = torch.tensor(images[: args.train_size], dtype=torch.float32) / 255.0
    y = torch.tensor(labels[: args.train_size], dtype=torch.long)
    model = tiny_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            xb = x[idx] + torch.randn_like(x[idx]) * args.sigma
            loss = torch.nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch}: loss {total / len(x):.4f}", file=sys.stderr)
    model.eval()
    ti, tl = load_idx("t10k")
    with torch.no_grad():
        xt = torch.tensor(ti[:2000], dtype=torch.float32) / 255.0
        acc = (model(xt).argmax(1).numpy() == tl[:2000]).mean()
        nacc = (model(xt + torch.randn_like(xt) * args.sigma).argmax(1).numpy() == tl[:2000]).mean()
    print(f"clean accuracy {acc:.3f}, noisy (sigma={args.sigma}) accuracy {nacc:.3f}", file=sys.stderr)
    traced = torch.jit.trace(model, torch.zeros(1, 1, 28, 28))
    path = os.path.join(FIXTURES, args.model)
    traced.save(path)
    print("wrote", path, file=sys.stderr)


def sample_counts(model, x, num, batch, sigma):
    """Class counts of model(x + noise) over num draws, batch at a time (x: 1xCxHxW)."""
    counts = np.zeros(NUM_CLASSES, dtype=np.int64)
    remaining = num
    with torch.no_grad():
        while remaining > 0:
            b = min(batch, remaining)
            xb = x.repeat(b, 1, 1, 1)
            pred = model(xb + torch.randn_like(xb) * sigma).argmax(1)
            counts += np.bincount(pred.numpy(), minlength=NUM_CLASSES)
            remaining -= b
    return counts


def lower_confidence_bound(k, n, alpha):
    return 0.0 if k == 0 else float(beta.ppf(alpha, k, n - k + 1))


def certify_one(model, x, sigma, n0, n, alpha, batch):
    selection = sample_counts(model, x, n0, batch, sigma)
    c_a = int(selection.argmax())
    estimation = sample_counts(model, x, n, batch, sigma)
    p_a = lower_confidence_bound(int(estimation[c_a]), n, alpha)
    if p_a <= 0.5:
        return -1, 0.0, p_a, c_a, estimation
    return c_a, sigma * float(norm.ppf(p_a)), p_a, c_a, estimation


def certify(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    model = torch.jit.load(os.path.join(FIXTURES, args.model)).eval()
    images, labels = load_idx("t10k")
    results = []
    start = time.time()
    for i in range(args.images):
        x = torch.tensor(images[i:i + 1], dtype=torch.float32) / 255.0
        label, radius, p_a, c_a, est = certify_one(model, x, args.sigma, args.n0, args.n, args.alpha, args.batch)
        results.append(dict(index=i, trueLabel=int(labels[i]), label=label, radius=radius, pALower=p_a,
                            selected=c_a, estimationCounts=est.tolist(),
                            pixels=images[i].ravel().tolist()))
        print(f"image {i}: label {label} (true {labels[i]}) radius {radius:.4f} counts {est.tolist()}",
              file=sys.stderr)
    out = dict(description="Cohen CERTIFY reference (tools/reference/cohen_certify.py), torch " + torch.__version__,
               model=args.model, sigma=args.sigma, n0=args.n0, n=args.n, alpha=args.alpha, batch=args.batch,
               seed=args.seed, seconds=time.time() - start, results=results)
    with open(os.path.join(FIXTURES, args.out), "w") as f:
        json.dump(out, f)
    print("wrote", args.out, file=sys.stderr)


def bench(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    model = torch.jit.load(args.model if os.path.isabs(args.model) else os.path.join(FIXTURES, args.model)).eval()
    images, _ = load_idx("t10k")
    x = torch.tensor(images[:1], dtype=torch.float32) / 255.0
    certify_one(model, x, args.sigma, args.n0, min(args.n, 2 * args.batch), args.alpha, args.batch)  # warm-up
    start = time.time()
    for i in range(args.images):
        x = torch.tensor(images[i:i + 1], dtype=torch.float32) / 255.0
        certify_one(model, x, args.sigma, args.n0, args.n, args.alpha, args.batch)
    seconds = time.time() - start
    samples = args.images * (args.n0 + args.n)
    print(json.dumps(dict(impl="pytorch-reference", torch=torch.__version__, threads=args.threads,
                          batch=args.batch, images=args.images, samples=samples, seconds=seconds,
                          samplesPerSecond=samples / seconds)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["train", "certify", "bench"])
    p.add_argument("--model", default="rs_tiny_cnn.pt")
    p.add_argument("--sigma", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-size", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--images", type=int, default=50)
    p.add_argument("--n0", type=int, default=100)
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--alpha", type=float, default=0.001)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="rs_cohen_50.json")
    args = p.parse_args()
    {"train": train, "certify": certify, "bench": bench}[args.command](args)


if __name__ == "__main__":
    main()
