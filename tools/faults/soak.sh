#!/usr/bin/env bash
# Soak run, bounded in time, loopback only: Kafka, PostgreSQL, the coordinator and N workers as child
# processes, workers on the tiny fixture model with one attack step, sweeps submitted so the queue never
# runs dry. Then the backlog drains and every job of every sweep is checked (exactly once, best outcome).
#   tools/faults/soak.sh 300          300 s, 2 workers
#   tools/faults/soak.sh 300 4        300 s, 4 workers
# Prints jobs/s, unexpected failures, lost and duplicated counts (also in launcher/target/faults/soak.txt).
set -uo pipefail
seconds="${1:-300}"
workers="${2:-2}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
echo "Building the coordinator and the launcher (no tests) ..." >&2
./mvnw -B -q package -DskipTests -pl coordinator,launcher -am || exit 2
echo "Soaking for ${seconds} s with ${workers} workers ..." >&2
./mvnw -B -q test -Pfaults -pl launcher -am -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshadowfleet.soak.seconds="$seconds" -Dshadowfleet.soak.workers="$workers" >&2
rc=$?
echo
echo "Soak on $(hostname), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
tail -n 1 launcher/target/faults/soak.txt 2>/dev/null || echo "no result (see the Maven output above)"
exit $rc
