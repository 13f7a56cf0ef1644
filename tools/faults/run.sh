#!/usr/bin/env bash
# The fault-injection suite (launcher/src/test/java/dev/shadowfleet/launcher/FaultSuiteTest.java): a real
# Kafka broker, PostgreSQL, the coordinator and two workers as child processes; each scenario injects its
# fault into a running sweep and checks that every job ended exactly once with one stored result and that
# every image outcome is the best-per-image rule recomputed from the stored results.
#   tools/faults/run.sh                 all scenarios (4-8 minutes on 2 busy cores, build included)
#   IMAGES=10 tools/faults/run.sh       smaller sweeps (images per scenario, × 10 targets = jobs)
# Prints a summary table: scenario, faults injected, jobs checked, lost, duplicated, wall time.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
summary="launcher/target/faults/summary.tsv"
rm -f "$summary"

echo "Building the coordinator and the launcher (no tests) ..." >&2
./mvnw -B -q package -DskipTests -pl coordinator,launcher -am || exit 2

echo "Running the fault suite (logs: launcher/target/surefire-reports) ..." >&2
started=$(date +%s)
./mvnw -B -q test -Pfaults -pl launcher -am -Dtest=FaultSuiteTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dshadowfleet.faults.images="${IMAGES:-30}" >&2
rc=$?
elapsed=$(( $(date +%s) - started ))

echo
echo "Fault suite on $(hostname), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -f "$summary" ]; then
  { printf 'scenario\tfaults\tjobs\tlost\tduplicated\twall s\tinvariant\n'; cat "$summary"; } | column -t -s $'\t'
  awk -F'\t' '{f+=$2; j+=$3; l+=$4; d+=$5} END {printf "total: %d scenarios, %d faults injected, %d jobs checked, %d lost, %d duplicated\n", NR, f, j, l, d}' "$summary"
else
  echo "no scenario finished (see the Maven output above)"
fi
echo "suite exit code $rc, ${elapsed} s"
exit $rc
