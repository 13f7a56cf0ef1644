#!/usr/bin/env python3
"""Cheap CERTIFY of the bundled smoothed models, written into their cards' metrics.

Runs `shadowfleet certify` (n0=100, n=1000, alpha=0.001) on the first 100 test images of each smoothed
model's test set and stores certified accuracy at radius 0, 0.25, 0.5, 1.0 under metrics.certifiedAccuracy.
The card's sha256 covers the weights file only, so editing metrics keeps the model loadable.
Usage: SHADOWFLEET_CP=<classpath> python3 tools/certify_models.py [id ...]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
N0, N, ALPHA, IMAGES = 100, 1000, 0.001, "0..99"

for path in sorted(glob.glob(os.path.join(ROOT, "*.json"))):
    card = json.load(open(path))
    if card["kind"]["type"] != "smoothed" or (len(sys.argv) > 1 and card["id"] not in sys.argv[1:]):
        continue
    test = card["metrics"]["testSet"]
    out = tempfile.mktemp(suffix=".jsonl")
    subprocess.run(["java", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                    "-Dai.djl.pytorch.num_interop_threads=1", "-Xmx2g", "-cp", os.environ["SHADOWFLEET_CP"],
                    "dev.shadowfleet.worker.cli.ShadowfleetCli", "certify", "--model", path, "--dataset", test,
                    "--images", IMAGES, "--n0", str(N0), "--n", str(N), "--alpha", str(ALPHA), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    rows = [json.loads(l) for l in open(out)]
    ok = lambda r, rad: r["certificate"]["issued"] and r["certificate"]["label"] == r["label"] \
        and r["certificate"]["radius"] >= rad
    card["metrics"]["certifiedAccuracy"] = {
        "n0": N0, "n": N, "alpha": ALPHA, "images": f"{test} {IMAGES}",
        "atRadius": {str(rad): round(sum(ok(r, rad) for r in rows) / len(rows), 4) for rad in (0.0, 0.25, 0.5, 1.0)}}
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(card["id"], card["metrics"]["certifiedAccuracy"]["atRadius"])
