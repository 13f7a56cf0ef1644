#!/usr/bin/env bash
# Regenerates every table and plot of docs/reproduction.md from the committed raw data
# (docs/reproduction/raw): writes docs/reproduction/tables.md and *.png, refills the marked regions of
# docs/reproduction.md. Nothing is recomputed; no stack is needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tools/repro/cli.sh report --raw docs/reproduction/raw --out docs/reproduction --doc docs/reproduction.md "$@"
