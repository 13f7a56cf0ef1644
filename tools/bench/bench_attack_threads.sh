#!/usr/bin/env bash
# Attack throughput over thread counts, engine and Python reference alternating on the same threads, from
# the runtime archive of tools/bench/pack_runtime.sh (for a host without Maven: a larger CPU, a GPU host's
# CPU). The engine runs on DJL's libtorch 2.7.1 CPU natives unpacked in LIBTORCH_DIR (the files of the
# pytorch-native-cpu jar); the reference on the host's `python3` torch.
# Usage: LIBTORCH_DIR=<dir> tools/bench/bench_attack_threads.sh <runtime.tar.xz> [threads...] (default 1 2 4 8 16)
set -uo pipefail
cd "$(dirname "$0")/../.."
archive=$1; shift
[ $# -gt 0 ] && threads=("$@") || threads=(1 2 4 8 16)
: "${LIBTORCH_DIR:?the folder holding libtorch_cpu.so of the DJL 2.7.1 CPU natives}"
steps=${STEPS:-20}
rounds=${ROUNDS:-2}
kit=/tmp/shadowfleet-runtime
# unpacked afresh, as gpu_check.sh does: a kit left by another archive would time other jars
rm -rf "$kit" && mkdir -p "$kit" && tar -C "$kit" -xJf "$archive" || exit 1
# DJL unpacks the CPU JNI bridge from the pytorch-jni jar on the classpath into its cache.
export DJL_CACHE_DIR=/tmp/djl-cache-cpu
export PYTORCH_LIBRARY_PATH=$LIBTORCH_DIR PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu CUDA_VISIBLE_DEVICES=
export SHADOWFLEET_FASHION_MNIST_DIR=$kit/data
source tools/bench/worker_malloc.sh
export GLIBC_TUNABLES=$WORKER_MALLOC_TUNABLES
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for ((r = 1; r <= rounds; r++)); do
  for t in "${threads[@]}"; do
    OMP_NUM_THREADS=$t "$kit/jre/bin/java" -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 \
      -Dai.djl.pytorch.num_threads="$t" -cp "$kit/lib/*" dev.shadowfleet.worker.engine.attack.AttackBenchmark \
      "$steps" "${SIZES:-400,900}" 2>/tmp/engine-cpu.err | sed "s/^{/{\"round\":$r,\"threads\":$t,/" \
      || tail -5 /tmp/engine-cpu.err
    ${PYTHON:-python3} tools/reference/shadow_attack_reference.py bench \
      --model gpu-worker/src/test/resources/fixtures/attack/rs1.pt --targets 9 --noise-batch 400 \
      --steps "$steps" --threads "$t" | sed "s/^{/{\"round\": $r, /"
  done
done
