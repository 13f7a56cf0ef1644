#!/usr/bin/env bash
# Runs the `shadowfleet` command-line tool from this checkout (compiled classes, not the jars the running
# fleet uses), one libtorch thread, at `nice -n 10`:  tools/repro/cli.sh report --raw ... | attack ...
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
cpfile="$repo/gpu-worker/target/repro-classpath.txt"
# Build only when a source changed since the last build (a rebuild rewrites target/classes, which a
# running test or attack may be loading classes from).
if [ ! -f "$cpfile" ] || [ -n "$(find pom.xml common gpu-worker -name target -prune -o -type f \
    \( -path '*/src/main/*' -o -name pom.xml \) -newer "$cpfile" -print -quit)" ]; then
  ./mvnw -B -q -pl gpu-worker -am compile dependency:build-classpath \
    -Dmdep.outputFile=target/repro-classpath.txt -Dmdep.includeScope=runtime >/dev/null
  touch "$cpfile"
fi
exec nice -n 10 java -Djava.awt.headless=true -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 -Xmx2g \
  -cp "gpu-worker/target/classes:common/target/classes:$(cat "$cpfile")" \
  dev.shadowfleet.worker.cli.ShadowfleetCli "$@"
