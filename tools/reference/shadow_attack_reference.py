#!/usr/bin/python3
"""Reference Shadow Attack in plain PyTorch (Debian python3-torch 1.13), written from ALGORITHM.md.

Two uses:
  fixtures  writes gpu-worker/src/test/resources/fixtures/attack/: small seeded networks (weights as .npz
            for the engine's SequentialNetwork, TorchScript for reference), an image, δ0 and the noise
            tensors, and δ after 20 attack steps (randomized smoothing 1-/3-channel, IBP robust CE).
  bench     attack steps per second on one image × T targets × B noise copies, one target at a time
            as the authors' code does (tools/bench/bench_attack.sh runs it beside the engine; --device cuda
            on a GPU).

The attack: J(δ) = L_spoof + λc·C(δ) + λtv·TV(δ) + λs·Dissim(δ), δ ← δ − lr·∇J, penalties evaluated on the
perturbation added to the image (1-channel δ repeated over C channels first).
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


class Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(-1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def small_cnn(channels, size, seed, mean, std):
    """Normalize → conv(C→8,k4,s2,p1) → ReLU → conv(8→16,k4,s2,p1) → ReLU → flatten → linear(→10)."""
    torch.manual_seed(seed)
    side = size // 4
    return nn.Sequential(
        Normalize(mean, std),
        nn.Conv2d(channels, 8, 4, 2, 1), nn.ReLU(),
        nn.Conv2d(8, 16, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * side * side, 10))


# ---------------------------------------------------------------- penalties (ALGORITHM.md)

def tv(d):  # d: N×C×H×W → N
    return ((d[:, :, 1:, :] - d[:, :, :-1, :]) ** 2).sum((1, 2, 3)) + \
           ((d[:, :, :, 1:] - d[:, :, :, :-1]) ** 2).sum((1, 2, 3))


def color(d, variant):
    if variant == "DELTA_L2":
        return d.flatten(1).norm(dim=1)
    m = d.abs().mean((2, 3))
    return m.norm(dim=1) if variant == "L2" else (m ** 2).sum(1)


def dissim(d):
    c = d.shape[1]
    s = torch.zeros_like(d[:, 0])
    for a in range(c):
        for b in range(a + 1, c):
            s = s + (d[:, a] - d[:, b]) ** 2
    return s.flatten(1).norm(dim=1)


# ---------------------------------------------------------------- spoofing losses

def rs_spoof(model, x, d_img, noise, target):
    """Mean CE over the B noise copies; noise in [0,1] space, not clipped."""
    logits = model(x + d_img + noise)
    return F.cross_entropy(logits, torch.full((noise.shape[0],), target, dtype=torch.long, device=noise.device))


def ibp_margin_lower(layers, lower, upper, target):
    """IBP lower bounds of z_t − z_j, last linear layer folded into the margins (m_t = 0)."""
    *body, last = layers
    for layer in body:
        if isinstance(layer, Normalize):
            lower, upper = layer(lower), layer(upper)
        elif isinstance(layer, (nn.Conv2d, nn.Linear)):
            mid, rad = (upper + lower) / 2, (upper - lower) / 2
            fn = F.conv2d if isinstance(layer, nn.Conv2d) else F.linear
            kw = dict(stride=layer.stride, padding=layer.padding) if isinstance(layer, nn.Conv2d) else {}
            mid = fn(mid, layer.weight, layer.bias, **kw)
            rad = fn(rad, layer.weight.abs(), None, **kw)
            lower, upper = mid - rad, mid + rad
        elif isinstance(layer, nn.ReLU):
            lower, upper = lower.clamp(min=0), upper.clamp(min=0)
        elif isinstance(layer, nn.Flatten):
            lower, upper = lower.flatten(1), upper.flatten(1)
        else:
            raise ValueError(layer)
    w = last.weight[target].unsqueeze(0) - last.weight       # K×F rows e_t − e_j
    b = last.bias[target] - last.bias
    mid, rad = (upper + lower) / 2, (upper - lower) / 2
    return mid @ w.t() - rad @ w.abs().t() + b


def ibp_spoof(model, x, d_img, eps, target):
    center = x + d_img
    lower, upper = (center - eps).clamp(0, 1), (center + eps).clamp(0, 1)
    m = ibp_margin_lower(list(model), lower, upper, target)
    return F.cross_entropy(-m, torch.tensor([target], device=m.device))


# ---------------------------------------------------------------- the attack, one target at a time

def attack(model, x, delta0, targets, p, noise=None, trace=None):
    """Plain gradient descent on J for each target; returns δ (T×Cd×H×W)."""
    out = []
    c = x.shape[1]
    for i, t in enumerate(targets):
        d = delta0[i:i + 1].clone().requires_grad_(True)
        for step in range(p["steps"]):
            d_img = d.repeat(1, c // d.shape[1], 1, 1)
            if p["kind"] == "rs":
                spoof = rs_spoof(model, x, d_img, noise, t)
            else:
                spoof = ibp_spoof(model, x, d_img, p["epsilon"], t)
            pen_tv, pen_c = tv(d_img)[0], color(d_img, p["colorPenalty"])[0]
            pen_s = dissim(d_img)[0] if d.shape[1] > 1 else torch.zeros((), device=d.device)
            j = spoof + p["lambdaC"] * pen_c + p["lambdaTv"] * pen_tv + p["lambdaS"] * pen_s
            g, = torch.autograd.grad(j, d)
            with torch.no_grad():
                d -= p["learningRate"] * g
            if trace is not None:
                trace.append([i, step, float(j), float(spoof), float(pen_tv), float(pen_c), float(pen_s)])
        out.append(d.detach())
    return torch.cat(out)


# ---------------------------------------------------------------- fixtures

def fmnist_image(index):
    folder = os.environ.get("SHADOWFLEET_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
    path = os.path.join(folder, "t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return (data[index * 784:(index + 1) * 784].astype(np.float32) / 255.0).reshape(1, 1, 28, 28)


def save_model(model, out, name, channels, size):
    weights = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    np.savez(os.path.join(out, name + "-weights.npz"), **weights)
    traced = torch.jit.trace(model, torch.zeros(1, channels, size, size))
    traced.save(os.path.join(out, name + ".pt"))


def case(out, name, model, x, targets, p, seed, delta_channels):
    rng = np.random.default_rng(seed)
    _, c, h, w = x.shape
    delta0 = rng.uniform(-0.5, 0.5, size=(len(targets), delta_channels, h, w)).astype(np.float32)
    noise = None
    if p["kind"] == "rs":
        noise = (rng.standard_normal(size=(p["noiseBatch"], c, h, w)) * p["sigma"]).astype(np.float32)
    trace = []
    delta = attack(model, torch.from_numpy(x), torch.from_numpy(delta0), targets, p,
                   None if noise is None else torch.from_numpy(noise), trace)
    arrays = dict(image=x[0], delta0=delta0, delta20=delta.numpy(), targets=np.array(targets, np.int64),
                  trace=np.array(trace, np.float64))
    if noise is not None:
        arrays["noise"] = noise
    np.savez(os.path.join(out, name + ".npz"), **arrays)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(p, f, indent=1, sort_keys=True)
    moved = np.abs(delta.numpy() - delta0).max()
    print(f"{name}: max|δ20 − δ0| = {moved:.4g}, max|δ20| = {np.abs(delta.numpy()).max():.4g}")


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    fm_mean, fm_std = [0.2860], [0.3530]
    rs1 = small_cnn(1, 28, 1, fm_mean, fm_std)
    rs3 = small_cnn(3, 16, 2, [0.5, 0.4, 0.3], [0.25, 0.2, 0.3])
    ibp1 = small_cnn(1, 28, 3, fm_mean, fm_std)
    save_model(rs1, out, "rs1", 1, 28)
    save_model(rs3, out, "rs3", 3, 16)
    save_model(ibp1, out, "ibp1", 1, 28)
    # λtv = 0.01 (not the paper's 0.3) and, for IBP, lr = 2 (not 200): with the paper's values on these
    # random-weight networks the penalties swamp the spoofing gradient (RS) or δ jumps to ±20 in one step
    # (IBP), and the fixture would test less of the spoofing loss. The algorithm is the same.
    base = dict(steps=20, learningRate=0.1, lambdaTv=0.01, lambdaC=1.0, lambdaS=0.0, colorPenalty="L2_SQUARED")
    case(out, "rs1-case", rs1, fmnist_image(0), [1, 4, 7], dict(base, kind="rs", sigma=0.25, noiseBatch=16),
         seed=101, delta_channels=1)
    rgb = np.random.default_rng(7).uniform(0, 1, size=(1, 3, 16, 16)).astype(np.float32)
    case(out, "rs3-case", rs3, rgb, [0, 5, 8], dict(base, kind="rs", sigma=0.5, noiseBatch=16, lambdaS=0.5),
         seed=102, delta_channels=3)
    case(out, "ibp1-case", ibp1, fmnist_image(1),
         [0, 3, 9], dict(steps=20, learningRate=2.0, lambdaTv=0.000009, lambdaC=0.02, lambdaS=0.0,
                         colorPenalty="DELTA_L2", kind="ibp", epsilon=0.1), seed=103, delta_channels=1)


# ---------------------------------------------------------------- benchmark

def bench(model_path, targets, noise_batch, steps, threads, device="cpu"):
    torch.set_num_threads(threads)
    dev = torch.device(device)
    model = torch.jit.load(model_path, map_location=dev).eval()
    for prm in model.parameters():
        prm.requires_grad_(False)
    x = torch.from_numpy(fmnist_image(0)).to(dev)
    rng = np.random.default_rng(0)
    delta0 = torch.from_numpy(rng.uniform(-0.5, 0.5, size=(targets, 1, 28, 28)).astype(np.float32)).to(dev)
    noise = torch.from_numpy((rng.standard_normal(size=(noise_batch, 1, 28, 28)) * 0.25).astype(np.float32)).to(dev)
    p = dict(kind="rs", steps=1, learningRate=0.1, lambdaTv=0.3, lambdaC=20.0, lambdaS=0.0,
             colorPenalty="L2_SQUARED")
    attack(model, x, delta0, list(range(targets)), p, noise)  # warm-up
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    sync()
    p["steps"] = steps
    start = time.perf_counter()
    cpu_start = time.process_time()
    attack(model, x, delta0, list(range(targets)), p, noise)
    sync()  # GPU kernels run asynchronously: time them to the end
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps(dict(impl="python-reference", torch=torch.__version__, device=str(dev), threads=threads,
                          targets=targets, noiseBatch=noise_batch, steps=steps, seconds=round(seconds, 3),
                          imageStepsPerSecond=round(steps / seconds, 3), cpuSeconds=round(cpu, 3),
                          imageStepsPerCpuSecond=round(steps / cpu, 3))))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixtures")
    f.add_argument("--out", default="gpu-worker/src/test/resources/fixtures/attack")
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True)
    b.add_argument("--targets", type=int, default=9)
    b.add_argument("--noise-batch", type=int, default=400)
    b.add_argument("--steps", type=int, default=5)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--device", default="cpu", help="cpu, or cuda / cuda:N for the GPU")
    a = ap.parse_args()
    if a.cmd == "fixtures":
        fixtures(a.out)
    else:
        bench(a.model, a.targets, a.noise_batch, a.steps, a.threads, a.device)
