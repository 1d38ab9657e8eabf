#!/usr/bin/env bash
# Cluster benchmark: a local RabbitMQ broker (ops/rabbitmq/start-local.sh), WORKERS worker processes with SLOTS cpu
# slots each, and a coordinator running TRIALS sleeping trials of MS milliseconds (plus the sweep file's one tiny
# training trial, 1 epoch on 16 synthetic samples). Run it with `./sweeps.sh bench cluster` (which builds first).
# The sleeping trials' span (first start to last end, from results.json) is compared with the ideal
# TRIALS x MS / (WORKERS x SLOTS). The last line is:
#   cluster: W workers x S slots, N trials of M ms: span X s, ideal Y s, ratio R (coordinator wall Z s)
#
# Environment (defaults): TRIALS (120), MS (200), WORKERS (3), SLOTS (2).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT="$PWD"

TRIALS=${TRIALS:-120}
MS=${MS:-200}
WORKERS=${WORKERS:-3}
SLOTS=${SLOTS:-2}
for v in TRIALS MS WORKERS SLOTS; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || { echo "run_cluster.sh: $v must be a whole number >= 1, not '${!v}'" >&2; exit 2; }
done
CLI="$ROOT/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll"
WORK="$(mktemp -d /tmp/sweeps-bench-cluster-XXXXXX)"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DIST=$((20000 + RANDOM % 10000))
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$ROOT/ops/rabbitmq/start-local.sh" stop --dir "$WORK/rabbitmq" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/ops/rabbitmq/start-local.sh" start --dir "$WORK/rabbitmq" --port "$PORT" --dist-port "$DIST" >/dev/null
cat >"$WORK/cluster.yaml" <<YAML
broker:
  host: 127.0.0.1
  port: $PORT
  virtualHost: sweeps
  user: sweeps
  passwordFile: $WORK/rabbitmq/broker.password
checkpointDirectory: ck
storePath: out/store.db
metricsAddress: off
YAML
cat >"$WORK/sweep.yaml" <<YAML
name: bench-cluster
dataset: synthetic
models: [resnet20]
methods: [fp]
epochs: {teacher: 1, student: 1}
limit: 16
test_limit: 16
_sleep_trials: {count: $TRIALS, ms: $MS}
YAML
devices=$(printf 'cpu,%.0s' $(seq 1 "$SLOTS")); devices=${devices%,}
for i in $(seq 1 "$WORKERS"); do
  dotnet "$CLI" worker --config "$WORK/cluster.yaml" --devices "$devices" >"$WORK/worker$i.log" 2>&1 &
  pids+=($!)
done
sleep 3
start=$(date +%s.%N)
dotnet "$CLI" coordinator --config "$WORK/cluster.yaml" --sweep "$WORK/sweep.yaml" >"$WORK/coordinator.log" 2>&1 || { cat "$WORK/coordinator.log" >&2; exit 1; }
end=$(date +%s.%N)
python3 - "$WORK/out/results.json" "$TRIALS" "$MS" "$WORKERS" "$SLOTS" "$start" "$end" <<'PY'
import json, sys
from datetime import datetime
path, trials, ms, workers, slots, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
rows = [t for t in json.load(open(path))["trials"] if t["id"].startswith("sleep-")]
assert len(rows) == trials and all(t["status"] == "completed" for t in rows), "not every sleeping trial completed"
ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
span = max(ts(t["finished_at"]) for t in rows) - min(ts(t["started_at"]) for t in rows)
ideal = trials * ms / 1000 / (workers * slots)
print(f"cluster: {workers} workers x {slots} slots, {trials} trials of {ms} ms: span {span:.2f} s, ideal {ideal:.2f} s, ratio {span/ideal:.2f} (coordinator wall {end-start:.1f} s)")
PY
