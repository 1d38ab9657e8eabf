#!/usr/bin/env bash
# Idle CPU of a 3-node cluster on 127.0.0.1: a coordinator and two workers (two cpu slots each) whose sweep has one
# sleeping trial of several minutes, so every node is up and idle (heartbeats, gossip, the slots' status messages). After
# WARMUP seconds, each process's CPU time (utime + stime from /proc) is sampled over WINDOW seconds. Run it with
# `./sweeps.sh bench cluster-idle` (which builds first). The last line is:
#   cluster idle: coordinator X %, worker Y %, worker Z % of a core (over W s)
#
# Environment (defaults): WARMUP (15), WINDOW (30).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"
source "$ROOT/bench/cluster_common.sh"

WARMUP=${WARMUP:-15}
WINDOW=${WINDOW:-30}
for v in WARMUP WINDOW; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || die "$v must be a whole number >= 1, not '${!v}'"
done
work="$(mktemp -d /tmp/sweeps-bench-idle-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
p0=$(free_port); p1=$(free_port); p2=$(free_port)
cluster_config "$work" "$p0" "$p1" "$p2"
cat >"$work/sweep.yaml" <<YAML
name: bench-idle
dataset: synthetic
models: []
methods: []
_sleep_trials: {count: 1, ms: 3600000}
YAML
dotnet "$CLI" coordinator --config "$work/cluster.hocon" --sweep "$work/sweep.yaml" >"$work/coordinator.log" 2>&1 &
pids+=($!)
for p in "$p1" "$p2"; do
  dotnet "$CLI" worker --config "$work/cluster.hocon" --set "port=$p" --devices cpu,cpu --metrics off >"$work/worker-$p.log" 2>&1 &
  pids+=($!)
done
sleep "$WARMUP"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=()
for p in "${pids[@]}"; do before+=("$(ticks "$p")"); done
sleep "$WINDOW"
hz=$(getconf CLK_TCK)
names=(coordinator worker worker)
line=""
for i in "${!pids[@]}"; do
  used=$(($(ticks "${pids[$i]}") - ${before[$i]}))
  line+="${names[$i]} $(python3 -c "print(f'{$used / $hz / $WINDOW * 100:.2f}')") %, "
done
grep -q "sleep-0001" "$work/out/results.json" 2>/dev/null || true
echo "cluster idle: ${line%, } of a core (over $WINDOW s)"
