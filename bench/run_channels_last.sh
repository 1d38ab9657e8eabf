#!/usr/bin/env bash
# Channels-last against NCHW on real training runs (issue 19): samples/s of one FP epoch and of one QAT epoch
# (W4A4, EWGS, the default delta update) of ResNet-20 on the full Fashion-MNIST, and with QUICK=1 the quick sweep's
# wall time and its accuracy table in both formats. The formats alternate (NCHW, then channels-last) for ROUNDS
# rounds, so drift of the machine hits both alike; NCHW is the build's own switch, SWEEPS_CHANNELS_LAST=0.
# Run it with `./sweeps.sh bench channels-last` (which builds first); this script builds nothing.
#
# Environment (defaults):
#   ROUNDS (1)       rounds of the epoch pairs
#   THREADS (nproc)  libtorch threads of every run
#   LIMIT            train on the first N images only (unset: all 60,000)
#   QUICK (0)        1 also runs sweeps/quick.yaml in both formats (about 4 minutes each on an idle 2-core machine)
#   OUT (runs/channels-last)   output folder; it is emptied first
#   CLI_DLL          the Sweeps.Cli.dll to run (the build of this checkout)
# The last lines are:
#   fp epoch samples/s NCHW -> channels-last: A -> B (xR)
#   qat W4A4 epoch samples/s NCHW -> channels-last: A -> B (xR)
#   quick sweep seconds NCHW -> channels-last: A -> B (xR)     (QUICK=1 only)
# (medians over the rounds; R = channels-last speed / NCHW speed).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

ROUNDS=${ROUNDS:-1}
THREADS=${THREADS:-$(nproc)}
QUICK=${QUICK:-0}
OUT=$(absolute "${OUT:-runs/channels-last}")
PYTHON=${PYTHON:-python3}
CLI_DLL=${CLI_DLL:-$ROOT/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll}
for v in ROUNDS THREADS QUICK; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ $ROUNDS -ge 1 && $THREADS -ge 1 ]] || die "ROUNDS and THREADS must be at least 1"
[[ -z ${LIMIT:-} || $LIMIT =~ ^[1-9][0-9]*$ ]] || die "LIMIT must be a whole number of at least 1, not '$LIMIT'"
[[ -f $CLI_DLL ]] || die "the CLI is not built ($CLI_DLL): run ./sweeps.sh bench channels-last"

rm -rf "$OUT"
mkdir -p "$OUT"
limit=()
[[ -n ${LIMIT:-} ]] && limit=(--limit "$LIMIT")

# train FORMAT DIR ARGS...: one `sweeps train` run in FORMAT (0 = NCHW, 1 = channels-last) into DIR.
train() {
  local format=$1 dir=$2
  shift 2
  echo "== $(date +%T) $* (SWEEPS_CHANNELS_LAST=$format) -> $dir"
  SWEEPS_CHANNELS_LAST=$format dotnet "$CLI_DLL" train --model resnet20 --dataset fashion-mnist --epochs 1 --seed 0 \
    --threads "$THREADS" "${limit[@]}" --out "$dir" "$@" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
  tail -n 3 "$dir.log"
}

echo "channels-last: resnet20, fashion-mnist${LIMIT:+ (first $LIMIT images)}, $THREADS threads, $ROUNDS round(s); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  for format in 0 1; do
    train "$format" "$OUT/fp-$format-$r" --method fp
  done
  # The QAT students start from this round's channels-last teacher (the teacher's quality does not change the speed).
  for format in 0 1; do
    train "$format" "$OUT/qat-$format-$r" --method qat --bits W4A4 --teacher "$OUT/fp-1-$r/model.pt"
  done
  if [[ $QUICK -eq 1 ]]; then
    for format in 0 1; do
      echo "== $(date +%T) quick sweep (SWEEPS_CHANNELS_LAST=$format) -> $OUT/quick-$format-$r"
      start=$(date +%s%N)
      # A teacher cache of its own per run: both formats train their teacher (a shared cache would let the second reuse
      # the first's and time only the students).
      (cd "$ROOT" && SWEEPS_CHANNELS_LAST=$format SWEEPS_TEACHER_CACHE="$OUT/teachers-$format-$r" \
        dotnet "$CLI_DLL" run sweeps/quick.yaml --out "$OUT/quick-$format-$r" --metrics off \
        >"$OUT/quick-$format-$r.log" 2>&1) || { tail -n 20 "$OUT/quick-$format-$r.log" >&2; exit 1; }
      echo $((($(date +%s%N) - start) / 1000000)) >"$OUT/quick-$format-$r.ms"
      tail -n 2 "$OUT/quick-$format-$r.log"
    done
  fi
done

"$PYTHON" - "$OUT" "$ROUNDS" "$QUICK" <<'PY'
import csv, json, os, statistics, sys

out, rounds, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"

def epoch(folder):
    with open(os.path.join(folder, "metrics.jsonl")) as f:
        m = json.loads(f.readline())
    final = json.load(open(os.path.join(folder, "final.json")))
    return m["samples_per_second"], m["test_top1"], final["memory_format"]

print()
lines = []
for kind, label in (("fp", "fp"), ("qat", "qat W4A4")):
    speeds = {0: [], 1: []}
    for r in range(1, rounds + 1):
        for fmt in (0, 1):
            sps, top1, memory_format = epoch(os.path.join(out, f"{kind}-{fmt}-{r}"))
            assert memory_format == ("channels_last" if fmt else "contiguous"), memory_format
            speeds[fmt].append(sps)
            print(f"round {r}: {label:<8} {memory_format:<13} {sps:8.1f} samples/s, test top-1 {100 * top1:.2f} %")
    a, b = statistics.median(speeds[0]), statistics.median(speeds[1])
    lines.append(f"{label} epoch samples/s NCHW -> channels-last: {a:.1f} -> {b:.1f} (x{b / a:.3f})")

if quick:
    print()
    print("quick sweep, test top-1 per trial after its last epoch (the report's default, %): NCHW | channels-last")
    seconds = {0: [], 1: []}
    for r in range(1, rounds + 1):
        tables = {}
        for fmt in (0, 1):
            folder = os.path.join(out, f"quick-{fmt}-{r}")
            seconds[fmt].append(float(open(folder + ".ms").read()) / 1000)
            with open(os.path.join(folder, "results.csv")) as f:
                tables[fmt] = {(row["method"], row["wbits"], row["abits"]): row for row in csv.DictReader(f)}
        for key in sorted(tables[0]):
            a, b = tables[0][key], tables[1].get(key, {})
            name = key[0] if key[0] == "fp" else f"{key[0]} W{key[1]}A{key[2]}"
            fmt_pct = lambda row: f"{100 * float(row['last_top1']):.2f}" if row.get("last_top1") else "-"
            print(f"round {r}: {name:<16} {fmt_pct(a):>6} | {fmt_pct(b):>6}   ({a['status']} | {b.get('status', 'missing')})")
    a, b = statistics.median(seconds[0]), statistics.median(seconds[1])
    lines.append(f"quick sweep seconds NCHW -> channels-last: {a:.0f} -> {b:.0f} (x{a / b:.3f})")

print()
for line in lines:
    print(line)
PY
