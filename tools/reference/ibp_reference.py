#!/usr/bin/python3
"""Independent numpy reference for IBP and CROWN-IBP margin bounds.

Writes gpu-worker/src/test/resources/fixtures/ibp_reference.json: a small random network
(normalize, conv, relu, conv, relu, flatten, linear, relu, linear), inputs, labels, several
epsilons and the expected bounds, all in float64.

Independence from the Java engine: convolutions are turned into explicit dense matrices (by
applying a loop-based convolution to every basis vector), so CROWN's backward pass here is a
chain of plain matrix transposes, not a transposed convolution.

Run: /usr/bin/python3 tools/reference/ibp_reference.py
"""
import json
import os
import sys

import numpy as np

SEED = 20240607
C, H, W = 2, 8, 8
LAYERS = [
    ("conv2d", dict(cin=2, cout=4, k=3, stride=1, padding=1)),
    ("relu", {}),
    ("conv2d", dict(cin=4, cout=6, k=3, stride=2, padding=1)),  # 8 -> 4 (transpose needs output padding 1)
    ("relu", {}),
    ("flatten", {}),
    ("linear", dict(fin=6 * 4 * 4, fout=20)),
    ("relu", {}),
    ("linear", dict(fin=20, fout=5)),
]
EPSILONS = [0.0, 0.01, 0.03, 0.1]
BETAS = [0.5]
N = 4


def conv_loop(x, w, b, stride, pad):
    """x: C×H×W, w: O×C×k×k -> O×Ho×Wo, by explicit loops."""
    cin, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.zeros((cin, h + 2 * pad, wd + 2 * pad))
    xp[:, pad:pad + h, pad:pad + wd] = x
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.zeros((o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, i, j] = np.tensordot(w, patch, axes=([1, 2, 3], [0, 1, 2]))
    if b is not None:
        out += b[:, None, None]
    return out


def dense_of_conv(w, stride, pad, in_shape):
    size = int(np.prod(in_shape))
    cols = []
    for idx in range(size):
        e = np.zeros(size)
        e[idx] = 1.0
        cols.append(conv_loop(e.reshape(in_shape), w, None, stride, pad).ravel())
    mat = np.stack(cols, axis=1)
    out_shape = conv_loop(np.zeros(in_shape), w, None, stride, pad).shape
    return mat, out_shape


def make_network(rng):
    mean = rng.uniform(0.2, 0.6, size=C)
    std = rng.uniform(0.2, 0.5, size=C)
    net = []
    shape = (C, H, W)
    for kind, p in LAYERS:
        if kind == "conv2d":
            w = rng.normal(0, 1 / np.sqrt(p["cin"] * p["k"] ** 2), size=(p["cout"], p["cin"], p["k"], p["k"]))
            b = rng.normal(0, 0.1, size=p["cout"])
            w = w.astype(np.float32).astype(np.float64)
            b = b.astype(np.float32).astype(np.float64)
            mat, out_shape = dense_of_conv(w, p["stride"], p["padding"], shape)
            net.append(dict(type="conv2d", w=w, b=b, stride=p["stride"], padding=p["padding"],
                            mat=mat, bias_full=np.repeat(b, out_shape[1] * out_shape[2])))
            shape = out_shape
        elif kind == "linear":
            w = rng.normal(0, 1 / np.sqrt(p["fin"]), size=(p["fout"], p["fin"]))
            b = rng.normal(0, 0.1, size=p["fout"])
            w = w.astype(np.float32).astype(np.float64)
            b = b.astype(np.float32).astype(np.float64)
            net.append(dict(type="linear", w=w, b=b, mat=w, bias_full=b))
            shape = (p["fout"],)
        else:
            net.append(dict(type=kind))
    mean = mean.astype(np.float32).astype(np.float64)
    std = std.astype(np.float32).astype(np.float64)
    return mean, std, net


def normalize_flat(v, mean, std):
    """v: flat C*H*W pixel vector -> normalized flat vector."""
    return (v.reshape(C, H * W) - mean[:, None]) / std[:, None]


def body_bounds(x, eps, mean, std, net):
    """IBP (flat vectors, center/radius with dense matrices) up to the input of the last layer.
    Returns pixel box and the list of input boxes of each layer."""
    lo = np.clip(x - eps, 0, 1).ravel()
    hi = np.clip(x + eps, 0, 1).ravel()
    pix = (lo, hi)
    l = normalize_flat(lo, mean, std).ravel()
    u = normalize_flat(hi, mean, std).ravel()
    inputs = []
    for layer in net[:-1]:
        inputs.append((l, u))
        if layer["type"] in ("conv2d", "linear"):
            c, r = (l + u) / 2, (u - l) / 2
            c2 = layer["mat"] @ c + layer["bias_full"]
            r2 = np.abs(layer["mat"]) @ r
            l, u = c2 - r2, c2 + r2
        elif layer["type"] == "relu":
            l, u = np.maximum(l, 0), np.maximum(u, 0)
        # flatten: identity on flat vectors
    inputs.append((l, u))
    return pix, inputs


def spec(net, y):
    w, b = net[-1]["w"], net[-1]["b"]
    return w[y][None, :] - w, b[y] - b


def ibp_margins(x, y, eps, mean, std, net):
    _, inputs = body_bounds(x, eps, mean, std, net)
    l, u = inputs[-1]
    ws, bs = spec(net, y)
    c, r = (l + u) / 2, (u - l) / 2
    return ws @ c - np.abs(ws) @ r + bs


def logit_bounds(x, eps, mean, std, net):
    _, inputs = body_bounds(x, eps, mean, std, net)
    l, u = inputs[-1]
    w, b = net[-1]["w"], net[-1]["b"]
    c, r = (l + u) / 2, (u - l) / 2
    return w @ c + b - np.abs(w) @ r, w @ c + b + np.abs(w) @ r


def crown_margins(x, y, eps, mean, std, net):
    pix, inputs = body_bounds(x, eps, mean, std, net)
    A, a0 = spec(net, y)  # K×D, K
    for i in range(len(net) - 2, -1, -1):
        layer = net[i]
        l, u = inputs[i]
        if layer["type"] in ("conv2d", "linear"):
            a0 = a0 + A @ layer["bias_full"]
            A = A @ layer["mat"]
        elif layer["type"] == "relu":
            lower_slope = np.zeros_like(l)
            upper_slope = np.zeros_like(l)
            upper_icpt = np.zeros_like(l)
            for t in range(l.size):
                if l[t] >= 0:
                    lower_slope[t] = upper_slope[t] = 1.0
                elif u[t] <= 0:
                    pass
                else:
                    upper_slope[t] = u[t] / (u[t] - l[t])
                    upper_icpt[t] = -u[t] * l[t] / (u[t] - l[t])
                    lower_slope[t] = 1.0 if u[t] >= -l[t] else 0.0
            pos, neg = np.maximum(A, 0), np.minimum(A, 0)
            a0 = a0 + neg @ upper_icpt
            A = pos * lower_slope[None, :] + neg * upper_slope[None, :]
    # normalization: z = (p - mean_c)/std_c per flat pixel
    s = np.repeat(std, H * W)
    m = np.repeat(mean, H * W)
    A = A / s[None, :]
    a0 = a0 - A @ m
    lo, hi = pix
    c, r = (lo + hi) / 2, (hi - lo) / 2
    return A @ c - np.abs(A) @ r + a0


def main():
    rng = np.random.default_rng(SEED)
    mean, std, net = make_network(rng)
    x = rng.uniform(0, 1, size=(N, C, H, W))
    x[0, 0, :2, :] = 0.0  # exercise clipping at 0 and 1
    x[1, 1, -2:, :] = 1.0
    x = x.astype(np.float32).astype(np.float64)
    labels = [int(v) for v in rng.integers(0, 5, size=N)]
    cases = []
    for eps in EPSILONS:
        ibp = np.stack([ibp_margins(x[i], labels[i], eps, mean, std, net) for i in range(N)])
        crown = np.stack([crown_margins(x[i], labels[i], eps, mean, std, net) for i in range(N)])
        lb = [logit_bounds(x[i], eps, mean, std, net) for i in range(N)]
        mixed = {str(b): (b * crown + (1 - b) * ibp).tolist() for b in BETAS}
        cases.append(dict(eps=eps, ibp=ibp.tolist(), crown=crown.tolist(), mixed=mixed,
                          logitLower=[v[0].tolist() for v in lb], logitUpper=[v[1].tolist() for v in lb]))
        print(f"eps={eps}: mean IBP margin {ibp.mean():.4f}, CROWN-IBP {crown.mean():.4f}", file=sys.stderr)
    layers = []
    for layer in net:
        d = dict(type=layer["type"])
        if layer["type"] in ("conv2d", "linear"):
            d.update(shape=list(layer["w"].shape), weight=layer["w"].ravel().tolist(), bias=layer["b"].tolist())
        if layer["type"] == "conv2d":
            d.update(stride=layer["stride"], padding=layer["padding"])
        layers.append(d)
    out = dict(description="IBP / CROWN-IBP reference bounds (tools/reference/ibp_reference.py, float64)",
               seed=SEED, inputShape=[C, H, W], mean=mean.tolist(), std=std.tolist(), layers=layers,
               x=x.ravel().tolist(), labels=labels, cases=cases)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "gpu-worker/src/test/resources/fixtures/ibp_reference.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
