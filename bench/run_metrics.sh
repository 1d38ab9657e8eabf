#!/usr/bin/env bash
# /metrics latency benchmark: `./sweeps.sh bench metrics` (which builds first); this script builds nothing.
#
# One process: a SweepMetrics facade holding TRIALS running trials' series (seven labels each, one
# reported epoch, busy GPU slots, finished trials in the duration histogram) behind a real Kestrel
# /metrics endpoint on 127.0.0.1; a real HttpClient GETs /metrics REQUESTS times, each followed by a
# GET of /healthz on the same server (a trivial endpoint: the reference figure). Prints p50/p99 of
# both, the process's CPU time per pair of requests, and a JSON line last. The WARMUP requests
# before the measured ones let tiered compilation optimise the hot code (the exporter's, the SDK's,
# Kestrel's): a process runs its first ~200 scrapes partly unoptimised (WARMUP=20 measures that phase).
#
# Before/after in one sitting: OLD_BUILD=<checkout> names another checkout of Sweeps whose
# bench/Sweeps.MetricsBench is built (the same benchmark program against that checkout's
# Sweeps.Monitoring). Then ROUNDS rounds run, each running both builds one after the other (the order
# alternates), and the last lines give the medians over the rounds of each build and their ratios.
# The build from before the OpenTelemetry exporter (issue 14), e.g.:
#   git worktree add /work/bench-builds/metrics-old 54fb0a6
#   (cd /work/bench-builds/metrics-old && dotnet build bench/Sweeps.MetricsBench -c Release)
#   OLD_BUILD=/work/bench-builds/metrics-old ./sweeps.sh bench metrics
#
# Environment (defaults): TRIALS (500), REQUESTS (200), WARMUP (200), OLD_BUILD (none), ROUNDS (3).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

TRIALS=${TRIALS:-500}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-200}
ROUNDS=${ROUNDS:-3}
BENCH_DLL=bench/Sweeps.MetricsBench/bin/Release/net10.0/Sweeps.MetricsBench.dll
DLL=$ROOT/$BENCH_DLL

for v in TRIALS REQUESTS WARMUP ROUNDS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number >= 1, not '${!v}'"
done
[[ -f $DLL ]] || {
  echo "run_metrics.sh: $DLL does not exist: the project bench/Sweeps.MetricsBench (in Sweeps.sln) is not built; run ./sweeps.sh setup" >&2
  exit 1
}

run() { dotnet "$1" --trials "$TRIALS" --requests "$REQUESTS" --warmup "$WARMUP"; }

echo "metrics: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -z ${OLD_BUILD:-} ]]; then
  run "$DLL"
  exit 0
fi

OLD=$(absolute "$OLD_BUILD")
OLD_DLL=$OLD/$BENCH_DLL
[[ -f $OLD_DLL ]] || die "OLD_BUILD=$OLD_BUILD: $OLD_DLL does not exist; build it there first: (cd $OLD && dotnet build bench/Sweeps.MetricsBench -c Release)"

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"' EXIT
for ((round = 1; round <= ROUNDS; round++)); do
  order=(old new)
  ((round % 2 == 0)) && order=(new old)
  for build in "${order[@]}"; do
    dll=$DLL
    [[ $build == old ]] && dll=$OLD_DLL
    echo "--- round $round/$ROUNDS: $build ($dll), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    run "$dll" | tee "$output"
    echo "$build $(tail -n 1 "$output")" >>"$results"
  done
done

python3 - "$results" "$OLD" "$ROUNDS" <<'PY'
import json, statistics, sys
rows = {"old": [], "new": []}
for line in open(sys.argv[1]):
    build, _, text = line.partition(" ")
    rows[build].append(json.loads(text))
def med(build, key):
    return statistics.median(r[key] for r in rows[build])
keys = [("metrics_p50_ms", "GET /metrics p50"), ("metrics_p99_ms", "p99"), ("healthz_p50_ms", "GET /healthz p50"),
        ("healthz_p99_ms", "p99"), ("cpu_per_pair_ms", "CPU per /metrics + /healthz pair")]
print(f"metrics: medians of {sys.argv[3]} rounds; old = {sys.argv[2]}, new = this checkout")
for build in ("old", "new"):
    r = rows[build][0]
    figures = ", ".join(f"{label} {med(build, key):.2f} ms" for key, label in keys)
    print(f"{build}: {r['lines']} lines, {r['bytes'] / 1024:.0f} KiB per scrape; {figures}")
print(f"new/old: GET /metrics p50 {med('new', 'metrics_p50_ms') / med('old', 'metrics_p50_ms'):.2f}, "
      f"p99 {med('new', 'metrics_p99_ms') / med('old', 'metrics_p99_ms'):.2f}, "
      f"CPU per pair {med('new', 'cpu_per_pair_ms') / med('old', 'cpu_per_pair_ms'):.2f}")
PY
