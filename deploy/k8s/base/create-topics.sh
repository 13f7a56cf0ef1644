#!/bin/bash
# Creates ShadowFleet's Kafka topics (names: common/.../message/Topics.java), or grows the partition count
# of an existing jobs/results topic up to the wanted one. Idempotent: safe to run at every deploy.
# Runs in the apache/kafka image (docker-compose.yml service kafka-init, Kubernetes Job create-topics).
#
#   KAFKA_BOOTSTRAP      bootstrap servers                          (required)
#   REPLICATION_FACTOR   3 in production, 1 on the single local broker
#   MIN_INSYNC_REPLICAS  2 in production (with acks=all: a write survives one broker loss), 1 locally
#   JOBS_PARTITIONS      >= 2 x the largest worker count: KEDA never scales past it
#   RESULTS_PARTITIONS   coordinator ingestion parallelism
set -euo pipefail

: "${KAFKA_BOOTSTRAP:?KAFKA_BOOTSTRAP must name the bootstrap servers}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
JOBS_PARTITIONS="${JOBS_PARTITIONS:-32}"
RESULTS_PARTITIONS="${RESULTS_PARTITIONS:-12}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"

# 30 days: a queued job must outlive the longest sweep; jobs and results are small (references, numbers).
RETENTION_MS=2592000000

topics() { "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"; }

ensure() {
  local name="$1" partitions="$2"; shift 2
  topics --create --if-not-exists --topic "$name" --partitions "$partitions" \
    --replication-factor "$REPLICATION_FACTOR" \
    --config "min.insync.replicas=$MIN_INSYNC_REPLICAS" \
    --config unclean.leader.election.enable=false "$@"
  local have
  have="$(topics --describe --topic "$name" | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' | head -n 1)"
  if [ -z "$have" ]; then
    echo "topic $name: cannot read its partition count" >&2
    exit 1
  fi
  if [ "$have" -lt "$partitions" ]; then
    # Only new records are placed by the new count; nothing already queued moves.
    echo "topic $name: growing from $have to $partitions partitions"
    topics --alter --topic "$name" --partitions "$partitions"
  fi
  echo "topic $name: ok ($partitions partitions wanted, $have before this run)"
}

ensure shadowfleet.jobs "$JOBS_PARTITIONS" --config "retention.ms=$RETENTION_MS"
ensure shadowfleet.results "$RESULTS_PARTITIONS" --config "retention.ms=$RETENTION_MS"
ensure shadowfleet.jobs.dlq 3 --config "retention.ms=$RETENTION_MS"
ensure shadowfleet.results.dlq 3 --config "retention.ms=$RETENTION_MS"
# Latest state per sweep (key = sweep id): compacted, read whole by every worker.
ensure shadowfleet.sweeps 3 --config cleanup.policy=compact
