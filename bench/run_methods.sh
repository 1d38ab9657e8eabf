#!/usr/bin/env bash
# Methods benchmark: trains every method x bit-width from one FP teacher with `sweeps train` and prints a Markdown
# table of last / best test top-1 and seconds per epoch. Run it with `./sweeps.sh bench methods` (which builds
# first); this script builds nothing. Finished runs are skipped, unfinished ones resume from their checkpoint, so an
# interrupted benchmark continues where it stopped when started again with the same settings.
#
# Environment (defaults):
#   TEACHER   the FP teacher's model.pt, from `sweeps train --method fp ...` (required). The model and dataset are
#             read from the final.json next to it (else MODEL / DATASET).
#   EPOCHS    epochs per run (required)
#   BITS      bit-widths ("W4A4 W2A2")
#   METHODS   methods ("qat sqakd mec-quant fpq cr"); `sweeps train --help` lists them
#   LIMIT     train on the first N samples only (unset: the whole training set)
#   OUT       output folder (runs/methods); one subfolder per run: <method>-<bits>
#   MODEL, DATASET, DATA_DIR   when the teacher has no final.json (resnet20, fashion-mnist, none)
#   SEED (0), THREADS (nproc), DEVICE (cpu), EXTRA_ARGS (more `sweeps train` arguments, e.g. --no-ewgs-delta)
#   CLI_DLL   the Sweeps.Cli.dll to run (the build of this checkout); a copy of a build keeps a long benchmark
#             independent of rebuilds while it runs
# Relative paths are taken from the folder `./sweeps.sh` was started in. Exit status 1 when a run failed.
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

[[ -n ${TEACHER:-} ]] || die "set TEACHER=path/to/model.pt (an fp run's model, e.g. from: ./sweeps.sh train --method fp --epochs 15 --out runs/fp)"
[[ -n ${EPOCHS:-} ]] || die "set EPOCHS (epochs per run)"
[[ $EPOCHS =~ ^[1-9][0-9]*$ ]] || die "EPOCHS must be a whole number of at least 1, not '$EPOCHS'"
[[ -z ${LIMIT:-} || $LIMIT =~ ^[1-9][0-9]*$ ]] || die "LIMIT must be a whole number of at least 1, not '$LIMIT'"
TEACHER=$(absolute "$TEACHER")
[[ -f $TEACHER ]] || die "TEACHER: no file $TEACHER"
BITS=${BITS:-W4A4 W2A2}
METHODS=${METHODS:-qat sqakd mec-quant fpq cr}
OUT=$(absolute "${OUT:-runs/methods}")
SEED=${SEED:-0}
THREADS=${THREADS:-$(nproc)}
DEVICE=${DEVICE:-cpu}
PYTHON=${PYTHON:-python3}
CLI_DLL=${CLI_DLL:-$ROOT/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll}
[[ -f $CLI_DLL ]] || die "the CLI is not built ($CLI_DLL): run ./sweeps.sh setup, or ./sweeps.sh bench methods"

# The teacher's model and dataset, from its final.json when there is one.
teacher_final=$(dirname "$TEACHER")/final.json
MODEL=${MODEL:-resnet20}
DATASET=${DATASET:-fashion-mnist}
if [[ -f $teacher_final ]]; then
  read -r MODEL DATASET < <("$PYTHON" -c 'import json,sys; f=json.load(open(sys.argv[1])); print(f["model"], f["dataset"])' "$teacher_final")
fi

# finished DIR: whether DIR holds a completed run of EPOCHS epochs.
finished() {
  [[ -f $1/final.json ]] && "$PYTHON" -c '
import json, sys
f = json.load(open(sys.argv[1]))
sys.exit(0 if f.get("status") == "completed" and f.get("epochs") == int(sys.argv[2]) else 1)' "$1/final.json" "$EPOCHS"
}

mkdir -p "$OUT"
echo "methods: $MODEL on $DATASET from teacher $TEACHER; methods [$METHODS], bits [$BITS], $EPOCHS epoch(s)${LIMIT:+, first $LIMIT training samples}, seed $SEED, $THREADS threads, $DEVICE"
echo "output: $OUT"
runs=()
failed=0
for method in $METHODS; do
  for bits in $BITS; do
    dir=$OUT/$method-$bits
    runs+=("$method $bits $dir")
    if finished "$dir"; then
      echo "== $method $bits: finished earlier, skipped ($dir)"
      continue
    fi
    echo "== $method $bits -> $dir"
    mkdir -p "$dir"
    args=(train --method "$method" --bits "$bits" --model "$MODEL" --dataset "$DATASET" --teacher "$TEACHER"
      --epochs "$EPOCHS" --seed "$SEED" --threads "$THREADS" --device "$DEVICE" --out "$dir")
    [[ -n ${LIMIT:-} ]] && args+=(--limit "$LIMIT")
    [[ -n ${DATA_DIR:-} ]] && args+=(--data-dir "$(absolute "$DATA_DIR")")
    # shellcheck disable=SC2206 # EXTRA_ARGS is split on purpose
    [[ -n ${EXTRA_ARGS:-} ]] && args+=($EXTRA_ARGS)
    rc=0
    dotnet "$CLI_DLL" "${args[@]}" 2>&1 | tee -a "$dir/train.log" || rc=$?
    if [[ $rc -ne 0 ]]; then
      failed=$((failed + 1))
      echo "== $method $bits: FAILED (exit $rc); see $dir/train.log and $dir/final.json"
    fi
  done
done

# The table: one row per run (plus the teacher's), from final.json and metrics.jsonl.
echo
"$PYTHON" - "$teacher_final" "${runs[@]}" <<'PY'
import json, os, sys

RECONSTRUCTIONS = {"mec-quant", "fpq", "cr"}

def pct(x):
    return "-" if x is None else f"{100 * x:.2f}"

def row(method, bits, folder):
    final_path = os.path.join(folder, "final.json")
    metrics_path = os.path.join(folder, "metrics.jsonl")
    final = json.load(open(final_path)) if os.path.exists(final_path) else {}
    epochs = []
    if os.path.exists(metrics_path):
        for line in open(metrics_path):
            line = line.strip()
            if line:
                try:
                    epochs.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    started = os.path.isdir(folder) and len(os.listdir(folder)) > 0
    status = final.get("status", "unfinished" if started else "not run")
    top1 = [e["test_top1"] for e in epochs]
    last = final.get("last_test_top1", top1[-1] if top1 else None)
    best = final.get("best_test_top1", max(top1) if top1 else None)
    seconds = [e["seconds"] for e in epochs]
    per_epoch = f"{sum(seconds) / len(seconds):.1f}" if seconds else "-"
    name = method + (" *" if method in RECONSTRUCTIONS else "")
    return f"| {name} | {bits} | {pct(last)} | {pct(best)} | {per_epoch} | {len(epochs)} | {status} |"

print("| method | bits | last top-1 (%) | best top-1 (%) | s/epoch | epochs | status |")
print("|---|---|---|---|---|---|---|")
teacher_final = sys.argv[1]
if os.path.exists(teacher_final):
    print(row("fp (teacher)", "W32A32", os.path.dirname(teacher_final)))
for spec in sys.argv[2:]:
    method, bits, folder = spec.split(" ", 2)
    print(row(method, bits, folder))
print()
print("\\* our reconstruction from the paper's abstract and its parent methods (no public code exists); see docs/methods.md.")
PY
if [[ $failed -gt 0 ]]; then
  echo "run_methods.sh: $failed run(s) failed (status in the table); start the benchmark again to retry them" >&2
  exit 1
fi
