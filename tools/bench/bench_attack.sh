#!/usr/bin/env bash
# Attack throughput: one image × 9 targets × B = 400, the engine (each micro-batch size) and the Python
# reference (one target at a time, all B copies in one pass, as the authors' code) on the same threads,
# in the same run. Usage: tools/bench/bench_attack.sh [steps] [threads] [micro-batch sizes, comma-separated]
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-5}
threads=${2:-2}
sizes=${3:-50,100,200,400,900,3600}
./mvnw -B -q -pl gpu-worker -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="gpu-worker/target/test-classes:gpu-worker/target/classes:common/target/classes:$(cat gpu-worker/target/bench-classpath.txt)"
# Both sides under the worker's malloc settings.
source tools/bench/worker_malloc.sh
export GLIBC_TUNABLES=${GLIBC_TUNABLES-$WORKER_MALLOC_TUNABLES}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m) $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
OMP_NUM_THREADS=$threads java -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 \
  -Dai.djl.pytorch.num_threads=$threads -cp "$cp" \
  dev.shadowfleet.worker.engine.attack.AttackBenchmark "$steps" "$sizes" 2>/dev/null
/usr/bin/python3 tools/reference/shadow_attack_reference.py bench \
  --model gpu-worker/src/test/resources/fixtures/attack/rs1.pt --targets 9 --noise-batch 400 \
  --steps "$steps" --threads "$threads"
