#!/usr/bin/env bash
# Coordinator benchmarks against a real PostgreSQL (embedded binaries) and a real in-JVM Kafka broker:
#   1. fan-out of a 1,000,000-job sweep (request → every job acknowledged on shadowfleet.jobs)
#   2. ingestion rate (a backlog of results drained into PostgreSQL with best-per-image upserts)
# Figures are printed (lines starting with BENCHMARK) and appended to coordinator/target/bench-coordinator.txt.
# Options: -Dbench.ingest.images=N (results = 10·N, N ≤ 60000, default 20000),
#          -Dbench.ingest.warmup-images=N (a first drain of 10·N results before the measured one, default 10000; 0 = none),
#          -Dbench.ddl=SQL (run before the ingestion drains: a schema variant to compare, e.g. "DROP INDEX job_results_image"),
#          -Dbench.page-size=N (relay page, default 5000), -Dtest=CoordinatorBenchmark#ingestionRate (one of them).
set -uo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp)
./mvnw -B -q test -pl coordinator -am -Dtest=CoordinatorBenchmark -Dexcluded.test.groups=none \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" >"$log" 2>&1
status=$?
grep -E "BENCHMARK|Tests run:|FAIL" "$log"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
[ $status -eq 0 ] || echo "maven exited with $status; full log: $log"
exit $status
