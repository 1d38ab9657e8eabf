#!/usr/bin/env bash
# Train-step benchmark: Sweeps (C#, bench/Sweeps.Bench) against PyTorch (bench/train_step.py) on the
# same ResNet-20 workload and the same libtorch. Run it with `./sweeps.sh bench train-step` (which
# builds first); this script builds nothing.
#
# Interleaved pairs (C# then PyTorch, PAIRS times) so that drift of the machine hits both sides
# alike; each process does WARMUP untimed and STEPS timed steps. Then one C# run of RSS_WARMUP untimed
# and RSS_STEPS measured steps reports RSS growth between the end of its warmup and the end, and over
# the second half alone (a leak keeps growing there; allocator warm-up does not).
# The last line is: train-step ratio C#/PyTorch: R (median of N pairs)
#
# Environment (defaults): PAIRS (5), WARMUP (5), STEPS (20), BATCH (128), THREADS (nproc),
#   RSS_STEPS (2000; 0 skips the RSS run), RSS_WARMUP (100), PYTHON (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

PAIRS=${PAIRS:-5}
WARMUP=${WARMUP:-5}
STEPS=${STEPS:-20}
BATCH=${BATCH:-128}
THREADS=${THREADS:-$(nproc)}
RSS_STEPS=${RSS_STEPS:-2000}
RSS_WARMUP=${RSS_WARMUP:-100}
PYTHON=${PYTHON:-/usr/bin/python3}
CSHARP_DLL=bench/Sweeps.Bench/bin/Release/net10.0/Sweeps.Bench.dll

for v in PAIRS WARMUP STEPS BATCH THREADS RSS_STEPS RSS_WARMUP; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run_train_step.sh: $v must be a whole number, not '${!v}'" >&2; exit 2; }
done
[[ $PAIRS -ge 1 && $STEPS -ge 1 && $THREADS -ge 1 && $BATCH -ge 1 ]] \
  || { echo "run_train_step.sh: PAIRS, STEPS, THREADS and BATCH must be at least 1" >&2; exit 2; }
[[ -f $CSHARP_DLL ]] || {
  echo "run_train_step.sh: the C# side is not built: $CSHARP_DLL does not exist." >&2
  echo "  It is the project bench/Sweeps.Bench (in Sweeps.sln); './sweeps.sh setup' builds it once it exists." >&2
  exit 1
}
[[ -x $PYTHON ]] || { echo "run_train_step.sh: $PYTHON not found (Debian python3-torch; ./sweeps.sh setup installs it)" >&2; exit 1; }

common=(--warmup "$WARMUP" --threads "$THREADS" --batch "$BATCH")

# last_json SIDE CMD...: runs a side; prints its last JSON line (its full output on failure).
last_json() {
  local side=$1 out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  local line
  line=$(grep -E '^\{.*\}$' <<<"$out" | tail -1 || true)
  if [[ $rc -ne 0 || -z $line ]]; then
    echo "run_train_step.sh: the $side side failed (exit $rc) or printed no JSON line: $*" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$line"
}

echo "train-step: ResNet-20, batch $BATCH, 1x28x28, $THREADS threads; $PAIRS pairs of $WARMUP warmup + $STEPS timed steps"
results=()
for ((i = 1; i <= PAIRS; i++)); do
  cs=$(last_json csharp dotnet "$CSHARP_DLL" train-step --steps "$STEPS" "${common[@]}")
  py=$(last_json pytorch "$PYTHON" bench/train_step.py --steps "$STEPS" "${common[@]}")
  echo "pair $i: C# $cs"
  echo "pair $i: PyTorch $py"
  results+=("$cs" "$py")
done

growth=""
if [[ $RSS_STEPS -gt 0 ]]; then
  echo "RSS growth: C# side, $RSS_WARMUP warmup + $RSS_STEPS steps..."
  growth=$(last_json csharp dotnet "$CSHARP_DLL" train-step --rss-growth --steps "$RSS_STEPS" \
    --warmup "$RSS_WARMUP" --threads "$THREADS" --batch "$BATCH")
  echo "RSS run: $growth"
fi

# Summary (the last line is the one the docs and CI read).
rows_file=$(mktemp)
trap 'rm -f "$rows_file"' EXIT
printf '%s\n' "${results[@]}" >"$rows_file"
"$PYTHON" - "$rows_file" "$growth" <<'EOF'
import json, statistics, sys

with open(sys.argv[1], encoding="utf-8") as f:
    rows = [json.loads(line) for line in f if line.strip()]
growth = sys.argv[2]
pairs = [(rows[i], rows[i + 1]) for i in range(0, len(rows), 2)]
ratios = []
print()
print(f"{'pair':>4} {'C# ms':>10} {'PyTorch ms':>11} {'ratio':>7} {'C# peak MiB':>12} {'PyTorch peak MiB':>17}")
for n, (cs, py) in enumerate(pairs, 1):
    assert cs["side"] == "csharp" and py["side"] == "pytorch", (cs, py)
    r = cs["median_step_ms"] / py["median_step_ms"]
    ratios.append(r)
    print(f"{n:>4} {cs['median_step_ms']:>10.1f} {py['median_step_ms']:>11.1f} {r:>7.3f} "
          f"{cs['peak_rss_mb']:>12.0f} {py['peak_rss_mb']:>17.0f}")
cs_ms = statistics.median(c["median_step_ms"] for c, _ in pairs)
py_ms = statistics.median(p["median_step_ms"] for _, p in pairs)
print(f"median step: C# {cs_ms:.1f} ms, PyTorch {py_ms:.1f} ms")
print(f"peak RSS (max over runs): C# {max(c['peak_rss_mb'] for c, _ in pairs):.0f} MiB, "
      f"PyTorch {max(p['peak_rss_mb'] for _, p in pairs):.0f} MiB")
if growth:
    g = json.loads(growth)
    pct = (g["rss_end_mb"] - g["rss_start_mb"]) / g["rss_start_mb"] * 100.0
    half = (g["rss_end_mb"] - g["rss_mid_mb"]) / g["rss_mid_mb"] * 100.0
    print(f"C# RSS growth over {g['steps']} steps: {pct:+.2f}% ({g['rss_start_mb']:.0f} MiB after "
          f"{g['warmup']} warmup steps -> {g['rss_end_mb']:.0f} MiB); second half alone: {half:+.2f}% "
          f"({g['rss_mid_mb']:.0f} -> {g['rss_end_mb']:.0f} MiB); {g['gc_gen0']} gen0 GCs; "
          f"median step {g['median_step_ms']:.1f} ms")
print(f"train-step ratio C#/PyTorch: {statistics.median(ratios):.3f} (median of {len(ratios)} pairs)")
EOF
