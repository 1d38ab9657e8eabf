#!/usr/bin/env bash
# Fail-over benchmark: from kill -9 of a worker to its trial training again on another node. Per run, on 127.0.0.1:
# worker A (one cpu slot) and a coordinator start; A takes the teacher (real training, many epochs on 128 synthetic
# samples); once its first epoch is recorded, worker B (two cpu slots) joins and takes sleeping trials; then A is killed
# with SIGKILL, and the fail-over is the time from the kill to the teacher's next attempt starting on B (its
# TrialStarted event, recorded by the coordinator; B then loads the checkpoint and trains on). Run it with
# `./sweeps.sh bench failover` (which builds first). Each run prints a line; the last line is:
#   failover: median X s over N runs (x1 x2 ...)
#
# Environment (defaults): RUNS (3).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"
source "$ROOT/bench/cluster_common.sh"

RUNS=${RUNS:-3}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || die "RUNS must be a whole number >= 1, not '$RUNS'"
TEACHER=resnet20-synthetic-fp-s0

wait_for() { # wait_for SECONDS WHAT COMMAND...: until COMMAND prints something
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until [[ -n "$("$@")" ]]; do
    [[ $SECONDS -lt $deadline ]] || die "timed out waiting for $what"
    sleep 0.2
  done
}

run_once() {
  local work pids=() p0 pa pb
  work="$(mktemp -d /tmp/sweeps-bench-failover-XXXXXX)"
  p0=$(free_port); pa=$(free_port); pb=$(free_port)
  cluster_config "$work" "$p0" "$pa" "$pb"
  cat >"$work/sweep.yaml" <<YAML
name: bench-failover
dataset: synthetic
models: [resnet20]
methods: [fp]
epochs: {teacher: 30, student: 1}
limit: 128
test_limit: 64
_sleep_trials: {count: 40, ms: 3000}
YAML
  dotnet "$CLI" worker --config "$work/cluster.hocon" --set "port=$pa" --devices cpu --metrics off >"$work/a.log" 2>&1 &
  local a=$!
  pids+=($a)
  dotnet "$CLI" coordinator --config "$work/cluster.hocon" --sweep "$work/sweep.yaml" >"$work/coordinator.log" 2>&1 &
  pids+=($!)
  trap 'kill -9 "${pids[@]}" 2>/dev/null || true' RETURN
  wait_for 300 "the teacher's first epoch" store_query "$work" "SELECT 1 FROM events WHERE trial = ? AND kind = 'TrialEpochCompleted' LIMIT 1" "$TEACHER"
  dotnet "$CLI" worker --config "$work/cluster.hocon" --set "port=$pb" --devices cpu,cpu --metrics off >"$work/b.log" 2>&1 &
  local b=$!
  pids+=($b)
  wait_for 120 "a trial on worker B" store_query "$work" "SELECT 1 FROM events WHERE kind = 'TrialStarted' AND json_extract(body, '$.node') = ? LIMIT 1" "$(hostname)/$b"
  local killed
  killed=$(date +%s.%N)
  kill -9 "$a"
  wait_for 120 "the teacher's resume" store_query "$work" "SELECT 1 FROM events WHERE trial = ? AND attempt = 2 AND kind = 'TrialStarted'" "$TEACHER"
  local at
  at=$(store_query "$work" "SELECT json_extract(body, '$.at') FROM events WHERE trial = ? AND attempt = 2 AND kind = 'TrialStarted'" "$TEACHER")
  python3 -c 'import sys; from datetime import datetime; at = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp(); print(f"{at - float(sys.argv[2]):.1f}")' "$at" "$killed"
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}

all=()
for run in $(seq 1 "$RUNS"); do
  s=$(run_once)
  echo "run $run: fail-over ${s} s (kill -9 of the teacher's worker to the teacher's next attempt starting on the other worker)"
  all+=("$s")
done
echo "failover: median $(median "${all[@]}") s over $RUNS runs (${all[*]})"
