#!/usr/bin/env bash
# Orchestration benchmark: sleeping trials through the embedded host (in-memory transport, SQLite store), to measure
# what scheduling costs. Run it with `./sweeps.sh bench orchestration` (which builds first); this script builds nothing.
# A warm-up sweep (WARMUP trials) runs first in the same process. The last line is:
#   orchestration: slot idle X % , dispatch p50 Y ms, p99 Z ms
#
# Environment (defaults): TRIALS (400), MS (50), SLOTS (8), WARMUP (40).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

TRIALS=${TRIALS:-400}
MS=${MS:-50}
SLOTS=${SLOTS:-8}
WARMUP=${WARMUP:-40}
for v in TRIALS MS SLOTS WARMUP; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run_orchestration.sh: $v must be a whole number, not '${!v}'" >&2; exit 2; }
done
[[ $TRIALS -ge 1 && $SLOTS -ge 1 ]] || { echo "run_orchestration.sh: TRIALS and SLOTS must be at least 1" >&2; exit 2; }

exec dotnet bench/Sweeps.Bench/bin/Release/net10.0/Sweeps.Bench.dll orchestration \
  --trials "$TRIALS" --ms "$MS" --slots "$SLOTS" --warmup "$WARMUP"
