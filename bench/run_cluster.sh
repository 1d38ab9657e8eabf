#!/usr/bin/env bash
# Cluster benchmark: an Akka cluster on 127.0.0.1 of WORKERS worker processes with SLOTS cpu slots each and a
# coordinator running a sweep of TRIALS sleeping trials of MS milliseconds and nothing else. Run it with
# `./sweeps.sh bench cluster` (which builds first). The sleeping trials' span (first start to last end, from
# results.json) is compared with the ideal TRIALS x MS / (WORKERS x SLOTS).
#
# TEACHER=1 adds the one tiny training trial (an FP teacher, 1 epoch on 16 synthetic samples) that the sweep file had
# until 2026-12-07; it holds one slot for about 2 s that the ideal leaves out, so figures taken with it (docs/benchmarks.md
# before that day) read higher. RUNS (default 1) repeats the run; BROKER_BUILD=/path/to/a/checkout of the RabbitMQ
# version (commit 54fb0a6, built there with its own ./sweeps.sh setup, which needs rabbitmq-server) interleaves that
# version's bench/run_cluster.sh with ours, run for run, in the same sitting, on the same sweep file (that script always
# had the training trial: without TEACHER=1 a copy of it without those lines runs). Each run prints a line; the last
# lines are the medians:
#   cluster akka: W workers x S slots, N trials of M ms: median ratio R over K runs (R1 R2 ...)
#   cluster broker: ... (only with BROKER_BUILD)
#
# Environment (defaults): TRIALS (120), MS (200), WORKERS (3), SLOTS (2), RUNS (1), TEACHER (0), BROKER_BUILD (unset).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

TRIALS=${TRIALS:-120}
MS=${MS:-200}
WORKERS=${WORKERS:-3}
SLOTS=${SLOTS:-2}
RUNS=${RUNS:-1}
TEACHER=${TEACHER:-0}
for v in TRIALS MS WORKERS SLOTS RUNS; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || die "$v must be a whole number >= 1, not '${!v}'"
done
[[ $TEACHER == 0 || $TEACHER == 1 ]] || die "TEACHER must be 0 (sleeping trials only) or 1 (and one tiny training trial), not '$TEACHER'"
if [[ -n "${BROKER_BUILD:-}" ]]; then
  BROKER_BUILD=$(absolute "$BROKER_BUILD")
  [[ -f "$BROKER_BUILD/bench/run_cluster.sh" && -f "$BROKER_BUILD/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll" ]] \
    || die "BROKER_BUILD=$BROKER_BUILD is not a built checkout of the broker version (git worktree add DIR 54fb0a6; cd DIR; ./sweeps.sh setup)"
fi
source "$ROOT/bench/cluster_common.sh"

# The training trial's lines of the sweep file (TEACHER=1), exactly as the broker version's script writes them.
TRAINING_LINES=('models: [resnet20]' 'methods: [fp]' 'epochs: {teacher: 1, student: 1}' 'limit: 16' 'test_limit: 16')

# One run of this build: prints "... ratio R ..." on its last line.
run_akka() {
  local work pids=() ports=() i
  work="$(mktemp -d /tmp/sweeps-bench-cluster-XXXXXX)"
  for i in $(seq 0 "$WORKERS"); do ports+=("$(free_port)"); done
  cluster_config "$work" "${ports[@]}"
  {
    printf 'name: bench-cluster\ndataset: synthetic\n'
    if [[ $TEACHER == 1 ]]; then printf '%s\n' "${TRAINING_LINES[@]}"; fi
    printf '_sleep_trials: {count: %s, ms: %s}\n' "$TRIALS" "$MS"
  } >"$work/sweep.yaml"
  local devices
  devices=$(printf 'cpu,%.0s' $(seq 1 "$SLOTS")); devices=${devices%,}
  for i in $(seq 1 "$WORKERS"); do
    dotnet "$CLI" worker --config "$work/cluster.hocon" --set "port=${ports[$i]}" --devices "$devices" --metrics off >"$work/worker$i.log" 2>&1 &
    pids+=($!)
  done
  sleep 3
  local start end rc=0
  start=$(date +%s.%N)
  dotnet "$CLI" coordinator --config "$work/cluster.hocon" --sweep "$work/sweep.yaml" >"$work/coordinator.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then cat "$work/coordinator.log" >&2; rm -rf "$work"; die "the coordinator failed (exit $rc)"; fi
  python3 - "$work/out/results.json" "$TRIALS" "$MS" "$WORKERS" "$SLOTS" "$start" "$end" <<'PY'
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
  rm -rf "$work"
}

# One run of the broker version: its own script, or (TEACHER=0) a copy of it whose sweep file lacks the training
# trial's lines and which runs from that checkout as the original does.
run_broker() {
  local script="$BROKER_BUILD/bench/run_cluster.sh" copy rc=0 line
  if [[ $TEACHER == 0 ]]; then
    copy="$(mktemp /tmp/sweeps-bench-broker-XXXXXX.sh)"
    grep -vxF -f <(printf '%s\n' "${TRAINING_LINES[@]}") "$script" \
      | sed 's|^cd "$(dirname "$(readlink -f "${BASH_SOURCE\[0\]}")")/.."$|cd "$BROKER_BUILD"|' >"$copy"
    if [[ $(grep -cxF -f <(printf '%s\n' "${TRAINING_LINES[@]}") "$script") != "${#TRAINING_LINES[@]}" ]] \
      || ! grep -qxF 'cd "$BROKER_BUILD"' "$copy"; then
      rm -f "$copy"; die "$script is not the broker version's script this benchmark knows (54fb0a6): run it with TEACHER=1"
    fi
    script="$copy"
  fi
  line=$(TRIALS=$TRIALS MS=$MS WORKERS=$WORKERS SLOTS=$SLOTS BROKER_BUILD=$BROKER_BUILD bash "$script" | tail -1) || rc=$?
  [[ $script == "$BROKER_BUILD/bench/run_cluster.sh" ]] || rm -f "$script"
  [[ $rc -eq 0 ]] || die "the broker version's run failed (exit $rc)"
  echo "$line"
}

ratio() { sed -n 's/.* ratio \([0-9.]*\).*/\1/p' <<<"$1"; }

akka=() broker=()
for run in $(seq 1 "$RUNS"); do
  if [[ -n "${BROKER_BUILD:-}" ]]; then
    line=$(run_broker); echo "run $run broker: $line"; broker+=("$(ratio "$line")")
  fi
  line=$(run_akka | tail -1); echo "run $run akka:   $line"; akka+=("$(ratio "$line")")
done
what="$WORKERS workers x $SLOTS slots, $TRIALS trials of $MS ms"
if [[ $TEACHER == 1 ]]; then what+=" and one training trial"; fi
echo "cluster akka: $what: median ratio $(median "${akka[@]}") over $RUNS runs (${akka[*]})"
if [[ -n "${BROKER_BUILD:-}" ]]; then
  echo "cluster broker: $what: median ratio $(median "${broker[@]}") over $RUNS runs (${broker[*]})"
fi
