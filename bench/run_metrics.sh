#!/usr/bin/env bash
# /metrics latency benchmark: `./sweeps.sh bench metrics` (which builds first); this script builds nothing.
#
# One process: a SweepMetrics facade holding TRIALS running trials' series (seven labels each, one
# reported epoch, busy GPU slots, finished trials in the duration histogram) behind a real Kestrel
# /metrics endpoint on 127.0.0.1; a real HttpClient GETs /metrics REQUESTS times, each followed by a
# GET of /healthz on the same server (a trivial endpoint: the reference figure). Prints p50/p99 of
# both, the process's CPU time per pair of requests, and a JSON line last.
#
# Environment (defaults): TRIALS (500), REQUESTS (200), WARMUP (20).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

TRIALS=${TRIALS:-500}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-20}
DLL=bench/Sweeps.MetricsBench/bin/Release/net10.0/Sweeps.MetricsBench.dll

for v in TRIALS REQUESTS WARMUP; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "run_metrics.sh: $v must be a whole number >= 1, not '${!v}'" >&2; exit 2; }
done
[[ -f $DLL ]] || {
  echo "run_metrics.sh: $DLL does not exist: the project bench/Sweeps.MetricsBench (in Sweeps.sln) is not built; run ./sweeps.sh setup" >&2
  exit 1
}

echo "metrics: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec dotnet "$DLL" --trials "$TRIALS" --requests "$REQUESTS" --warmup "$WARMUP"
