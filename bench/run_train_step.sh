#!/usr/bin/env bash
# Train-step benchmark: Sweeps (C#, bench/Sweeps.Bench) against PyTorch (bench/train_step.py) on the
# same ResNet-20 workload and the same libtorch. Run it with `./sweeps.sh bench train-step` (which
# builds first); this script builds nothing.
#
# Interleaved rounds (PAIRS times: C# in its default channels-last, PyTorch in its default NCHW, C# in NCHW,
# PyTorch in channels-last) so that drift of the machine hits every side alike; each process does WARMUP
# untimed and STEPS timed steps. Then one C# run (channels-last) of RSS_WARMUP untimed and RSS_STEPS measured
# steps reports RSS growth between the end of its warmup and the end, and over the second half alone (a leak
# keeps growing there; allocator warm-up does not).
# The last three lines are (each the median over the rounds of the ratio within a round):
#   train-step ratio C# NCHW/PyTorch: R          (both NCHW: the binding alone, the figure before issue 19)
#   train-step ratio C#/PyTorch channels-last: R (both channels-last)
#   train-step ratio C#/PyTorch: R (median of N pairs)   (C# default, channels-last, against PyTorch's default)
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

echo "train-step: ResNet-20, batch $BATCH, 1x28x28, $THREADS threads; $PAIRS rounds of 4 sides, $WARMUP warmup + $STEPS timed steps each"
results=()
for ((i = 1; i <= PAIRS; i++)); do
  cs=$(last_json csharp dotnet "$CSHARP_DLL" train-step --steps "$STEPS" "${common[@]}" --channels-last 1)
  py=$(last_json pytorch "$PYTHON" bench/train_step.py --steps "$STEPS" "${common[@]}")
  cs_nchw=$(last_json csharp dotnet "$CSHARP_DLL" train-step --steps "$STEPS" "${common[@]}" --channels-last 0)
  py_last=$(last_json pytorch "$PYTHON" bench/train_step.py --steps "$STEPS" "${common[@]}" --channels-last)
  echo "round $i: C# $cs"
  echo "round $i: PyTorch $py"
  echo "round $i: C# $cs_nchw"
  echo "round $i: PyTorch $py_last"
  results+=("$cs" "$py" "$cs_nchw" "$py_last")
done

growth=""
if [[ $RSS_STEPS -gt 0 ]]; then
  echo "RSS growth: C# side, $RSS_WARMUP warmup + $RSS_STEPS steps..."
  growth=$(last_json csharp dotnet "$CSHARP_DLL" train-step --rss-growth --steps "$RSS_STEPS" \
    --warmup "$RSS_WARMUP" --threads "$THREADS" --batch "$BATCH" --channels-last 1)
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
rounds = [rows[i:i + 4] for i in range(0, len(rows), 4)]
ratios, ratios_last, ratios_nchw = [], [], []
print()
print("step ms (median of the timed steps) per side; CL = channels-last")
print(f"{'round':>5} {'C# CL':>8} {'PyTorch':>8} {'C# NCHW':>8} {'PyT CL':>8} {'C#/PyT':>7} {'CL/CL':>7} {'NCHW/NCHW':>9}")
for n, (cs, py, cs_nchw, py_last) in enumerate(rounds, 1):
    assert [r["side"] for r in (cs, py, cs_nchw, py_last)] == ["csharp", "pytorch", "csharp", "pytorch"], rounds
    assert [r["layout"] for r in (cs, py, cs_nchw, py_last)] == ["channels_last", "nchw", "nchw", "channels_last"], rounds
    ratios.append(cs["median_step_ms"] / py["median_step_ms"])
    ratios_last.append(cs["median_step_ms"] / py_last["median_step_ms"])
    ratios_nchw.append(cs_nchw["median_step_ms"] / py["median_step_ms"])
    print(f"{n:>5} {cs['median_step_ms']:>8.1f} {py['median_step_ms']:>8.1f} {cs_nchw['median_step_ms']:>8.1f} "
          f"{py_last['median_step_ms']:>8.1f} {ratios[-1]:>7.3f} {ratios_last[-1]:>7.3f} {ratios_nchw[-1]:>9.3f}")
med = lambda k: statistics.median(r[k]["median_step_ms"] for r in rounds)
print(f"median step: C# channels-last {med(0):.1f} ms, PyTorch NCHW {med(1):.1f} ms, C# NCHW {med(2):.1f} ms, "
      f"PyTorch channels-last {med(3):.1f} ms")
print(f"peak RSS (max over runs): C# {max(max(r[0]['peak_rss_mb'], r[2]['peak_rss_mb']) for r in rounds):.0f} MiB, "
      f"PyTorch {max(max(r[1]['peak_rss_mb'], r[3]['peak_rss_mb']) for r in rounds):.0f} MiB")
if growth:
    g = json.loads(growth)
    pct = (g["rss_end_mb"] - g["rss_start_mb"]) / g["rss_start_mb"] * 100.0
    half = (g["rss_end_mb"] - g["rss_mid_mb"]) / g["rss_mid_mb"] * 100.0
    print(f"C# RSS growth over {g['steps']} steps: {pct:+.2f}% ({g['rss_start_mb']:.0f} MiB after "
          f"{g['warmup']} warmup steps -> {g['rss_end_mb']:.0f} MiB); second half alone: {half:+.2f}% "
          f"({g['rss_mid_mb']:.0f} -> {g['rss_end_mb']:.0f} MiB); {g['gc_gen0']} gen0 GCs; "
          f"median step {g['median_step_ms']:.1f} ms")
print(f"train-step ratio C# NCHW/PyTorch: {statistics.median(ratios_nchw):.3f} (both NCHW, median of {len(ratios_nchw)} rounds)")
print(f"train-step ratio C#/PyTorch channels-last: {statistics.median(ratios_last):.3f} (both channels-last, median of {len(ratios_last)} rounds)")
print(f"train-step ratio C#/PyTorch: {statistics.median(ratios):.3f} (median of {len(ratios)} pairs)")
EOF
