#!/usr/bin/env bash
# Runs one reproduction experiment through the fleet and exports its outcome CSVs.
#
#   tools/repro/run.sh <experiment> [FROM-TO] [sweep-name ...]
#
# <experiment> names experiments/<experiment>.json: a set of sweep requests (POST /api/sweeps bodies
# without "images"). The image range FROM-TO (FROM inclusive, TO exclusive; default 0-10) is cut into
# chunks of REPRO_CHUNK images (default 10); every chunk of every sweep (or of the named sweeps only) is
# one sweep on the coordinator, and its best-per-image outcomes are exported (GET /api/sweeps/{id}/
# outcomes.csv) to docs/reproduction/raw/<experiment>/<sweep>/<from>-<to>.csv.
#
# A sweep cancelled on the coordinator (a run cut short) is exported as it stands: images that never ran
# have status CANCELLED there, and the report leaves them out.
# Resumable: a chunk whose CSV exists is skipped; a chunk whose sweep was submitted before (its id is kept
# in <data-dir>/repro/) is waited on, not submitted again (after a crash the fleet redelivers the
# uncommitted jobs and the coordinator deduplicates by job id). Every finished chunk appends its wall time
# (sweep creation to completion), job counts, worker count and load average to docs/reproduction/raw/runs.csv.
#
# Uses the local stack on the data directory (SHADOWFLEET_HOME, default ./.shadowfleet); when none runs it
# starts one in the background (`./shadowfleet-local up --no-sweep`, REPRO_WORKERS workers, default 2, at
# `nice -n 10`; the launcher gives each worker cores/N compute threads). It is left running for the next
# range: `./shadowfleet-local down` stops it. REPRO_WINDOW (default 2) chunk sweeps are in flight at once.
# Writes (submitting sweeps) send a bearer token: SHADOWFLEET_TOKEN, else <data-dir>/operator.token, the
# operator token the local stack's `up` keeps there (docs/security.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

usage() { echo "usage: tools/repro/run.sh <experiment> [FROM-TO] [sweep-name ...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
experiment="$1"; shift
spec="experiments/$experiment.json"
[ -f "$spec" ] || { echo "run.sh: no experiment file $spec" >&2; exit 2; }
range="${1:-0-10}"; [ $# -ge 1 ] && shift
[[ "$range" =~ ^([0-9]+)-([0-9]+)$ ]] || { echo "run.sh: range must be FROM-TO, got '$range'" >&2; exit 2; }
from="${BASH_REMATCH[1]}"; to="${BASH_REMATCH[2]}"
[ "$from" -lt "$to" ] || { echo "run.sh: range FROM must be < TO, got $range" >&2; exit 2; }
chunk="${REPRO_CHUNK:-10}"
window="${REPRO_WINDOW:-2}"
workers="${REPRO_WORKERS:-2}"
home="${SHADOWFLEET_HOME:-$repo/.shadowfleet}"
raw="$repo/docs/reproduction/raw"
state_dir="$home/repro"

if [ $# -gt 0 ]; then sweeps=("$@"); else mapfile -t sweeps < <(jq -r '.sweeps | keys_unsorted[]' "$spec"); fi
for s in "${sweeps[@]}"; do
  jq -e --arg s "$s" '.sweeps[$s]' "$spec" >/dev/null || { echo "run.sh: $spec has no sweep '$s'" >&2; exit 2; }
done

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
# Writes need an API token: SHADOWFLEET_TOKEN, else the local stack's operator token (written by `up`).
token() {
  if [ -n "${SHADOWFLEET_TOKEN:-}" ]; then echo "$SHADOWFLEET_TOKEN"
  elif [ -r "$home/operator.token" ]; then cat "$home/operator.token"; fi
}
api() {
  local t; t="$(token)"
  if [ -n "$t" ]; then curl -fsS -H "Authorization: Bearer $t" "$@"; else curl -fsS "$@"; fi
}

coordinator_url() {
  [ -f "$home/stack.properties" ] || return 1
  sed -n 's/^coordinator\.url=//p' "$home/stack.properties" | sed 's/\\:/:/g'
}

ensure_stack() {
  local url
  if url="$(coordinator_url)" && [ -n "$url" ] && curl -fsS "$url/q/health/ready" >/dev/null 2>&1; then
    echo "$url"; return
  fi
  log "no stack on $home; starting one (${workers} workers, nice 10, log $home/repro-stack.log)"
  mkdir -p "$home"
  setsid nohup nice -n 10 ./shadowfleet-local up --no-sweep --workers "$workers" --data-dir "$home" \
    >"$home/repro-stack.log" 2>&1 < /dev/null &
  for _ in $(seq 1 600); do
    if url="$(coordinator_url)" && [ -n "$url" ] && grep -q "^Running" "$home/repro-stack.log" 2>/dev/null \
        && curl -fsS "$url/q/health/ready" >/dev/null 2>&1; then
      echo "$url"; return
    fi
    sleep 1
  done
  echo "run.sh: the stack did not come up; see $home/repro-stack.log" >&2; exit 1
}

url="$(ensure_stack)"
log "coordinator $url; experiment $experiment, images $from-$to in chunks of $chunk, sweeps: ${sweeps[*]}"
mkdir -p "$raw" "$state_dir"
runs="$raw/runs.csv"
[ -f "$runs" ] || echo "experiment,sweep,from,to,sweep_id,jobs,done,skipped,failed,created_at,completed_at,wall_seconds,workers,load_avg,host,state" > "$runs"

# The work list: one entry per (sweep, chunk) whose CSV does not exist yet.
# Chunk-major, so the sweeps of an experiment advance together and every finished range is comparable.
todo=()
for ((a = from; a < to; a += chunk)); do
  b=$((a + chunk < to ? a + chunk : to))
  for s in "${sweeps[@]}"; do
    if [ -f "$raw/$experiment/$s/$a-$b.csv" ]; then log "skip $s $a-$b (CSV exists)"; else todo+=("$s $a $b"); fi
  done
done

submit() { # sweep a b -> prints the sweep id (kept in the state dir, reused when the coordinator knows it)
  local s="$1" a="$2" b="$3" idf="$state_dir/$experiment/$s/$a-$b.id" id body
  mkdir -p "$(dirname "$idf")"
  if [ -f "$idf" ] && id="$(cat "$idf")" && api "$url/api/sweeps/$id" >/dev/null 2>&1; then
    log "resume $s $a-$b: sweep $id"; echo "$id"; return
  fi
  body="$(jq -c --arg s "$s" --argjson a "$a" --argjson b "$b" '.sweeps[$s] + {images: {from: $a, to: $b}}' "$spec")"
  id="$(api -H 'Content-Type: application/json' -d "$body" "$url/api/sweeps" | jq -r .id)"
  echo "$id" > "$idf"
  log "submitted $s $a-$b: sweep $id"
  echo "$id"
}

finish() { # sweep a b id: wait for the sweep, export its CSV, record its wall time
  local s="$1" a="$2" b="$3" id="$4" v st out end
  while true; do
    v="$(api "$url/api/sweeps/$id")" || { sleep 10; continue; }
    st="$(jq -r .state <<<"$v")"
    case "$st" in COMPLETED|CANCELLED) break ;; esac
    sleep 15
  done
  out="$raw/$experiment/$s/$a-$b.csv"
  mkdir -p "$(dirname "$out")"
  api "$url/api/sweeps/$id/outcomes.csv" > "$out.tmp" && mv "$out.tmp" "$out"
  jq -r --arg e "$experiment" --arg s "$s" --arg a "$a" --arg b "$b" --arg w "$workers" \
     --arg l "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')" --arg h "$(nproc) cores $(uname -m)" '
    def secs: sub("\\.[0-9]+"; "") | sub("(?<z>[+-][0-9][0-9]:[0-9][0-9]|Z)$"; "Z") | fromdateiso8601;
    [$e, $s, $a, $b, .id, .jobs, .progress.done, .progress.skipped, .progress.failed, .createdAt, .completedAt,
     (((.completedAt // .cancelledAt) | secs) - (.createdAt | secs)), $w, $l, $h, .state] | @csv' <<<"$v" >> "$runs"
  log "done $s $a-$b ($st): $(($(wc -l < "$out") - 1)) outcomes -> ${out#"$repo"/}"
}

inflight=()
for item in "${todo[@]}"; do
  read -r s a b <<<"$item"
  inflight+=("$s $a $b $(submit "$s" "$a" "$b")")
  if [ "${#inflight[@]}" -ge "$window" ]; then
    finish ${inflight[0]}
    inflight=("${inflight[@]:1}")
  fi
done
for item in "${inflight[@]}"; do finish $item; done
log "experiment $experiment $from-$to finished; tables: tools/repro/report.sh (stack left running: ./shadowfleet-local down)"
