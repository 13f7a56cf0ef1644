#!/usr/bin/env bash
# Worker-loop overhead per job: one worker on an in-JVM KRaft broker, jobs published while it runs, image
# batches of 1 and 9 targets, 0 ms and 100 ms of compute per batch. Usage: tools/bench/bench_loop.sh [images]
set -euo pipefail
cd "$(dirname "$0")/../.."
images=${1:-60}
./mvnw -B -q -pl gpu-worker -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="gpu-worker/target/test-classes:gpu-worker/target/classes:common/target/classes:$(cat gpu-worker/target/bench-classpath.txt)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m) $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.shadowfleet.worker.loop.LoopBenchmark "$images" 2>/dev/null
