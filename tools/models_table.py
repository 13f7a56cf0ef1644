#!/usr/bin/env python3
"""Prints the Markdown table of models/README.md from the cards in models/ (metrics as measured)."""
import glob
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
print("| id | kind | arch (MACs) | clean acc. | acc. under noise | certified acc. r=0 / 0.25 / 0.5 (100 img, n=1000) "
      "| IBP verified robust error | train wall time | seed |")
print("|---|---|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(ROOT, "*.json"))):
    c = json.load(open(path))
    k, m, t = c["kind"], c.get("metrics", {}), c.get("training", {})
    kind = f"smoothed σ={k['sigma']}" if k["type"] == "smoothed" else f"ibp ε={k['epsilon']}"
    arch = (t.get("config") or {}).get("arch", "?")
    noise = f"{m['accuracyUnderNoise']:.4f}" if "accuracyUnderNoise" in m else ""
    ca = (m.get("certifiedAccuracy") or {}).get("atRadius")
    cert = f"{ca['0.0']:.2f} / {ca['0.25']:.2f} / {ca['0.5']:.2f}" if ca else ""
    ver = f"{m['ibpVerifiedRobustError']:.4f}" if "ibpVerifiedRobustError" in m else ""
    print(f"| {c['id']} | {kind} | {arch} ({t.get('macs', '?')}) | {m.get('cleanAccuracy', 0):.4f} | {noise} | {cert} | "
          f"{ver} | {t.get('wallSeconds', '?')} s | {t.get('seed', '?')} |")
