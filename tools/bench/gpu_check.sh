#!/usr/bin/env bash
# GPU checks and attack throughput on a CUDA host whose Python PyTorch supplies libtorch (no Java, no
# network needed there): unpacks the runtime archive of tools/bench/pack_runtime.sh, points DJL at the
# host's libtorch (PYTORCH_LIBRARY_PATH, the cu128 JNI bridge), then runs the steps below. The engine
# steps need that PyTorch to be 2.7.1 for CUDA 12.x, the version DJL 0.36's JNI bridge is built for; on
# another version they stop at the engine check or the first tensor, the reference steps still run, and
# missing-symbols.txt lists the torch symbols the bridge needs that the host's libtorch lacks.
#   1. the attack benchmark (one image × 9 targets × B = 400) on the GPU, engine and Python reference;
#   2. the same on the host's CPU cores, both sides on the same threads (CUDA hidden);
#   3. `shadowfleet attack` end to end on the GPU: paper-rs, n = 100,000, on IMAGES of fmnist-rs-0.25.
# Usage: tools/bench/gpu_check.sh <runtime.tar.xz> <out-dir> [gpu-steps] [cpu-threads] [images]
set -uo pipefail
cd "$(dirname "$0")/../.."
archive=$1
out=$2
gpu_steps=${3:-100}
threads=${4:-$(nproc)}
images=${5:-0..4}
mkdir -p "$out"
kit=/tmp/shadowfleet-runtime
rm -rf "$kit" && mkdir -p "$kit" && tar -C "$kit" -xJf "$archive" || exit 1
py=${PYTHON:-python3}
tlib=$($py -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
{
  date -u +%Y-%m-%dT%H:%MZ
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  $py -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
  ls "$tlib"
  $py -c 'import torch, sys; v = torch.__version__.split("+")[0]
sys.exit(0) if v == "2.7.1" else print("note: PyTorch", v, "is not 2.7.1: the engine steps will not run on it")'
} 2>&1 | tee "$out/host.txt"

# DJL: the host's libtorch, the cu128 JNI bridge of pytorch-jni pre-placed in the cache, nothing downloaded.
export DJL_CACHE_DIR=/tmp/djl-cache
jni_dir="$DJL_CACHE_DIR/pytorch/2.7.1-cu128-linux-x86_64"
mkdir -p "$jni_dir"
(cd "$kit" && $py -m zipfile -e lib/pytorch-jni-*.jar .)
cp "$kit/jnilib/linux-x86_64/cu128/libdjl_torch.so" "$jni_dir/0.36.0-libdjl_torch.so"
export PYTORCH_LIBRARY_PATH=$tlib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128
PYTORCH_LIBRARY_EXCLUSION=$(cd "$tlib" && ls | grep -E 'python|^libshm' | paste -sd, -)
export PYTORCH_LIBRARY_EXCLUSION
nv=$(ls -d "$(dirname "$(dirname "$tlib")")"/nvidia/*/lib 2>/dev/null | paste -sd: -)
export LD_LIBRARY_PATH=$tlib${nv:+:$nv}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
source tools/bench/worker_malloc.sh
export GLIBC_TUNABLES=$WORKER_MALLOC_TUNABLES
export SHADOWFLEET_FASHION_MNIST_DIR=$kit/data SHADOWFLEET_MODELS_DIR=$PWD/models
# The bridge was built against libtorch 2.7.1: list the torch symbols it needs that this libtorch lacks.
if command -v nm >/dev/null; then
  nm -D --undefined-only "$jni_dir/0.36.0-libdjl_torch.so" | awk '{print $NF}' | sed 's/@.*//' | sort -u > /tmp/undef
  for f in "$tlib"/*.so*; do nm -D --defined-only "$f" 2>/dev/null; done | awk '{print $NF}' | sed 's/@.*//' \
    | sort -u > /tmp/def
  comm -23 /tmp/undef /tmp/def | grep -E '^_ZN?K?[0-9]*(c10|at|torch)' > "$out/missing-symbols.txt"
  echo "torch symbols the JNI bridge needs and this libtorch lacks: $(wc -l < "$out/missing-symbols.txt")"
fi
java=("$kit/jre/bin/java" -Djava.awt.headless=true -Dai.djl.offline=true)
cp="$kit/lib/*"
model=gpu-worker/src/test/resources/fixtures/attack/rs1.pt

echo "== 1. GPU: engine, then the Python reference ($gpu_steps steps)"
timeout 180 "${java[@]}" -cp "$cp" dev.shadowfleet.worker.engine.attack.AttackBenchmark "$gpu_steps" 400,1200,3600 \
  2>"$out/engine-gpu.err" | tee "$out/bench-gpu.jsonl"
tail -5 "$out/engine-gpu.err"
$py tools/reference/shadow_attack_reference.py bench --model "$model" --targets 9 --noise-batch 400 \
  --steps "$gpu_steps" --threads "$threads" --device cuda | tee -a "$out/bench-gpu.jsonl"

echo "== 2. CPU, $threads threads, CUDA hidden: engine, then the Python reference (20 steps)"
CUDA_VISIBLE_DEVICES= OMP_NUM_THREADS=$threads timeout 180 "${java[@]}" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dai.djl.pytorch.num_threads="$threads" -cp "$cp" dev.shadowfleet.worker.engine.attack.AttackBenchmark 20 \
  100,400,900 2>"$out/engine-cpu.err" | tee "$out/bench-cpu.jsonl"
tail -3 "$out/engine-cpu.err"
CUDA_VISIBLE_DEVICES= $py tools/reference/shadow_attack_reference.py bench --model "$model" --targets 9 \
  --noise-batch 400 --steps 20 --threads "$threads" | tee -a "$out/bench-cpu.jsonl"

echo "== 3. shadowfleet attack on the GPU, paper-rs, n = 100,000, images $images"
start=$(date +%s)
timeout "${CLI_TIMEOUT:-240}" "${java[@]}" -Xmx8g -cp "$cp" dev.shadowfleet.worker.cli.ShadowfleetCli attack \
  --model fmnist-rs-0.25 --images "$images" --n 100000 --n0 100 --alpha 0.001 --out "$out/attack" \
  > "$out/attack.log" 2>&1
echo "exit $? after $(( $(date +%s) - start )) s"
tail -25 "$out/attack.log"
rm -f "$out"/attack/*.png
