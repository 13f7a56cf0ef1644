#!/usr/bin/env bash
# Certification throughput: ShadowFleet (`shadowfleet bench-certify`, DJL + libtorch) against the
# Python/PyTorch reference of Cohen's CERTIFY (tools/reference/cohen_certify.py bench), same
# TorchScript model, same images, same n0/n/batch, same thread count, alternating for ROUNDS rounds.
#
#   tools/bench/bench_certify.sh [THREADS] [IMAGES] [N] [BATCH] [ROUNDS] [MODEL]
#
# Prints one JSON line per measurement and the median throughput of each side.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-1}
IMAGES=${2:-5}
N=${3:-10000}
BATCH=${4:-1000}
ROUNDS=${5:-3}
MODEL=${6:-gpu-worker/src/test/resources/fixtures/rs_tiny_cnn.pt}
PY=/usr/bin/python3   # Debian's torch 1.13 (not the python3 first on PATH)

echo "# $(date -u +%FT%TZ) $(uname -m) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) cores=$(nproc --all) load=$(cut -d' ' -f1-3 /proc/loadavg)"
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
./mvnw -B -q compile -pl gpu-worker -am
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
./mvnw -B -q -pl gpu-worker -am dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null
CP=gpu-worker/target/classes:common/target/classes:$(cat "$CPFILE")

OUT=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    dev.shadowfleet.worker.cli.ShadowfleetCli bench-certify --model "$MODEL" --images "$IMAGES" \
    --n "$N" --batch "$BATCH" --threads "$THREADS" 2>/dev/null | tee -a "$OUT"
  $PY tools/reference/cohen_certify.py bench --model "$(realpath "$MODEL")" --images "$IMAGES" \
    --n "$N" --batch "$BATCH" --threads "$THREADS" | tee -a "$OUT"
done
$PY - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def med(pred):
    v = [r["samplesPerSecond"] for r in rows if pred(r)]
    return statistics.median(v) if v else float("nan")
ref = med(lambda r: r["impl"] == "pytorch-reference")
for mode in ("per-image", "stacked"):
    sf = med(lambda r: r["impl"] == "shadowfleet" and r.get("mode") == mode)
    print(f"median samples/s: shadowfleet {mode} {sf:,.0f} | reference {ref:,.0f} | ratio {sf / ref:.2f}x")
PYEOF
rm -f "$OUT"
