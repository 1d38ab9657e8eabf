#!/usr/bin/env bash
# CUDA check: the real training path on a GPU, compared with the CPU of the same machine. Run it with
# `Torch_DIR=<CUDA libtorch>/share/cmake/Torch ./sweeps.sh bench cuda-check` (setup builds the shim against that
# libtorch first), or directly with SWEEPS_NATIVE_LIB naming a CUDA-built libsweeps_native.so. It
#   1. checks that `sweeps version` lists DEVICE;
#   2. writes a Fashion-MNIST subset (the first LIMIT training and TEST_LIMIT test images, IDX files) to OUT/data;
#   3. times the FP teacher (TEACHER_EPOCHS) and QAT W4A4 with EWGS (EPOCHS) on DEVICE and on the CPU, one after
#      the other (the wall-time ratio cpu/cuda);
#   4. trains every method in METHODS x BITS x QUANTIZERS on DEVICE from the DEVICE teacher and, with
#      CPU_COMPARE=1, the same on the CPU from the CPU teacher (both series at once when PARALLEL=1);
#   5. resumes a run killed (kill -9) after its first checkpoint on DEVICE, and a copy of it on the CPU;
#   6. runs a small sweep (`sweeps run`: fp and METHODS x BITS with lsq) whose devices are [DEVICE], two trials at a time;
#   7. prints (and writes to OUT/summary.md) one row per run: device, status, last train loss, test top-1, seconds,
#      and the DEVICE - CPU difference of each pair.
# Exit status 0 when every run completed, 1 otherwise, 2 for bad settings.
#
# Environment (defaults):
#   DEVICE (cuda:0), OUT (runs/cuda-check), DATA_DIR (/usr/share/datasets/fashion-mnist), LIMIT (4096),
#   TEST_LIMIT (1000), TEACHER_EPOCHS (3), EPOCHS (2), METHODS (qat sqakd mec-quant fpq cr), BITS (W4A4 W2A2),
#   QUANTIZERS (ewgs lsq), CPU_COMPARE (1), CPU_BITS (BITS) and CPU_QUANTIZERS (QUANTIZERS): the CPU series,
#   PARALLEL (1), THREADS (nproc; with PARALLEL the DEVICE series gets 4 and the CPU series the rest), SWEEP (1),
#   RESUME (1), RUN_TIMEOUT (900 s per run), SEED (0), CLI_DLL (this checkout's Sweeps.Cli.dll), DOTNET (dotnet),
#   PYTHON (python3). The shim is the one the CLI finds (SWEEPS_NATIVE_LIB, else next to the CLI's assemblies).
# Relative paths are taken from the folder `./sweeps.sh` was started in.
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"
whole() { [[ ${!1} =~ ^[1-9][0-9]*$ ]] || die "$1 must be a whole number of at least 1, not '${!1}'"; }

DEVICE=${DEVICE:-cuda:0}
OUT=$(absolute "${OUT:-runs/cuda-check}")
DATA_DIR=$(absolute "${DATA_DIR:-/usr/share/datasets/fashion-mnist}")
LIMIT=${LIMIT:-4096}
TEST_LIMIT=${TEST_LIMIT:-1000}
TEACHER_EPOCHS=${TEACHER_EPOCHS:-3}
EPOCHS=${EPOCHS:-2}
METHODS=${METHODS:-qat sqakd mec-quant fpq cr}
BITS=${BITS:-W4A4 W2A2}
QUANTIZERS=${QUANTIZERS:-ewgs lsq}
CPU_BITS=${CPU_BITS:-$BITS}
CPU_QUANTIZERS=${CPU_QUANTIZERS:-$QUANTIZERS}
CPU_COMPARE=${CPU_COMPARE:-1}
PARALLEL=${PARALLEL:-1}
THREADS=${THREADS:-$(nproc)}
SWEEP=${SWEEP:-1}
RESUME=${RESUME:-1}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
SEED=${SEED:-0}
DOTNET=${DOTNET:-dotnet}
PYTHON=${PYTHON:-python3}
CLI_DLL=${CLI_DLL:-$ROOT/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll}
for v in LIMIT TEST_LIMIT TEACHER_EPOCHS EPOCHS THREADS RUN_TIMEOUT; do whole "$v"; done
[[ $DEVICE =~ ^(cpu|cuda:[0-9]+)$ ]] || die "DEVICE must be cpu or cuda:N, not '$DEVICE'"
[[ -f $CLI_DLL ]] || die "the CLI is not built ($CLI_DLL): run ./sweeps.sh bench cuda-check, or set CLI_DLL"
[[ -d $DATA_DIR ]] || die "DATA_DIR: no folder $DATA_DIR (Fashion-MNIST IDX files, e.g. from Debian's dataset-fashion-mnist)"
[[ $DEVICE != cpu ]] || CPU_COMPARE=0
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}"

sweeps() { "$DOTNET" "$CLI_DLL" "$@"; }

mkdir -p "$OUT"
TIMES=$OUT/times.tsv
: >"$TIMES"
failed=0

echo "== sweeps version"
sweeps version | tee "$OUT/version.txt"
grep -Eq "^devices .*\b${DEVICE}\b" "$OUT/version.txt" \
  || { echo "run_cuda_check.sh: '$DEVICE' is not among the devices above: build the shim against a CUDA libtorch (Torch_DIR=... ./sweeps.sh setup) or set SWEEPS_NATIVE_LIB" >&2; exit 1; }

echo "== Fashion-MNIST subset: first $LIMIT training and $TEST_LIMIT test images of $DATA_DIR -> $OUT/data"
"$PYTHON" - "$DATA_DIR" "$OUT/data" "$LIMIT" "$TEST_LIMIT" <<'PY'
import gzip, os, struct, sys
source, target, limits = sys.argv[1], sys.argv[2], {"train": int(sys.argv[3]), "t10k": int(sys.argv[4])}
os.makedirs(target, exist_ok=True)
for prefix, limit in limits.items():
    for kind, dims in (("images-idx3-ubyte", 3), ("labels-idx1-ubyte", 1)):
        name = f"{prefix}-{kind}"
        path = os.path.join(source, name)
        data = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz", "rb").read()
        magic, count = struct.unpack(">II", data[:8])
        shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 + 4 * dims])
        item = 1
        for d in shape:
            item *= d
        keep = min(count, limit)
        header = struct.pack(">II", magic, keep) + data[8:4 + 4 * dims]
        with open(os.path.join(target, name), "wb") as f:
            f.write(header + data[4 + 4 * dims:4 + 4 * dims + keep * item])
        print(f"{name}: {keep} of {count}")
PY
DATA=$OUT/data

# since START: seconds elapsed since START (date +%s.%N), to the millisecond.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }

# train DIR DEVICE THREADS ARGS...: one `sweeps train` into DIR; its wall seconds go to times.tsv.
train() {
  local dir=$1 device=$2 threads=$3
  shift 3
  mkdir -p "$dir"
  local start seconds rc=0
  start=$(date +%s.%N)
  timeout "$RUN_TIMEOUT" "$DOTNET" "$CLI_DLL" train --dataset fashion-mnist --data-dir "$DATA" --limit "$LIMIT" --seed "$SEED" \
    --device "$device" --threads "$threads" --out "$dir" "$@" >>"$dir/train.log" 2>&1 || rc=$?
  seconds=$(since "$start")
  printf '%s\t%s\t%s\t%s\n' "${dir#"$OUT"/}" "$device" "$seconds" "$rc" >>"$TIMES"
  if [[ $rc -ne 0 ]]; then
    echo "   FAILED (exit $rc): ${dir#"$OUT"/} ($device); last lines of $dir/train.log:"
    tail -5 "$dir/train.log" | sed 's/^/   | /'
    return 1
  fi
  echo "   ok: ${dir#"$OUT"/} ($device, $seconds s)"
}

# series NAME DEVICE THREADS BITS QUANTIZERS: every method x bits x quantizer on DEVICE, from NAME's teacher.
series() {
  local name=$1 device=$2 threads=$3 all_bits=$4 quantizers=$5 method bits quantizer errors=0
  for quantizer in $quantizers; do
    for bits in $all_bits; do
      for method in $METHODS; do
        local dir=$OUT/$name/$method-$bits-$quantizer
        [[ -f $dir/final.json ]] && grep -q '"status": "completed"' "$dir/final.json" && continue
        train "$dir" "$device" "$threads" --method "$method" --bits "$bits" --quantizer "$quantizer" --epochs "$EPOCHS" \
          --teacher "$OUT/$name/fp/model.pt" || errors=$((errors + 1))
      done
    done
  done
  return "$errors"
}

echo "== timing pairs, one run at a time ($THREADS threads): fp ($TEACHER_EPOCHS epochs) and qat W4A4 ewgs ($EPOCHS epochs)"
sides=("gpu $DEVICE")
[[ $CPU_COMPARE == 1 ]] && sides+=("cpu cpu")
for side in "${sides[@]}"; do
  read -r name device <<<"$side"
  train "$OUT/$name/fp" "$device" "$THREADS" --method fp --epochs "$TEACHER_EPOCHS" || failed=$((failed + 1))
done
for side in "${sides[@]}"; do
  read -r name device <<<"$side"
  train "$OUT/$name/qat-W4A4-ewgs" "$device" "$THREADS" --method qat --bits W4A4 --quantizer ewgs --epochs "$EPOCHS" \
    --teacher "$OUT/$name/fp/model.pt" || failed=$((failed + 1))
done

echo "== every method: [$METHODS] x [$BITS] x [$QUANTIZERS] on $DEVICE, $EPOCHS epochs"
[[ $CPU_COMPARE == 1 ]] && echo "   and [$METHODS] x [$CPU_BITS] x [$CPU_QUANTIZERS] on cpu$([[ $PARALLEL == 1 ]] && echo ", at the same time")"
if [[ $CPU_COMPARE == 1 && $PARALLEL == 1 && $THREADS -gt 5 ]]; then
  series gpu "$DEVICE" 4 "$BITS" "$QUANTIZERS" &
  gpu_pid=$!
  rc=0
  series cpu cpu $((THREADS - 4)) "$CPU_BITS" "$CPU_QUANTIZERS" || rc=$?
  failed=$((failed + rc))
  rc=0
  wait "$gpu_pid" || rc=$?
  failed=$((failed + rc))
else
  rc=0
  series gpu "$DEVICE" "$THREADS" "$BITS" "$QUANTIZERS" || rc=$?
  failed=$((failed + rc))
  if [[ $CPU_COMPARE == 1 ]]; then
    rc=0
    series cpu cpu "$THREADS" "$CPU_BITS" "$CPU_QUANTIZERS" || rc=$?
    failed=$((failed + rc))
  fi
fi

if [[ $RESUME == 1 ]]; then
  echo "== resume: qat W2A2 lsq, 3 epochs on $DEVICE, killed (-9) after its first checkpoint, then resumed on $DEVICE and on cpu"
  dir=$OUT/resume/gpu
  rm -rf "$OUT/resume"
  mkdir -p "$dir"
  args=(--method qat --bits W2A2 --quantizer lsq --epochs 3 --teacher "$OUT/gpu/fp/model.pt")
  "$DOTNET" "$CLI_DLL" train --dataset fashion-mnist --data-dir "$DATA" --limit "$LIMIT" --seed "$SEED" --threads "$THREADS" \
    --device "$DEVICE" --out "$dir" "${args[@]}" >"$dir/killed.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    [[ -f $dir/checkpoint/state.json ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -f $dir/checkpoint/state.json ]]; then
    cp -r "$dir" "$OUT/resume/cpu"
    train "$dir" "$DEVICE" "$THREADS" "${args[@]}" || failed=$((failed + 1))
    train "$OUT/resume/cpu" cpu "$THREADS" "${args[@]}" || failed=$((failed + 1))
  else
    echo "   FAILED: no checkpoint before the kill (see $dir/killed.log)"
    failed=$((failed + 1))
  fi
fi

if [[ $SWEEP == 1 ]]; then
  echo "== sweep: fp + [$METHODS] x [$BITS] (lsq), devices [$DEVICE], 2 trials at a time"
  cat >"$OUT/sweep.yaml" <<EOF
name: cuda-check
dataset: fashion-mnist
data_dir: $DATA
models: [resnet20]
methods: [fp, $(echo $METHODS | sed 's/ /, /g')]
bits: [$(echo $BITS | sed 's/ /, /g')]
seeds: [0]
epochs: {teacher: $TEACHER_EPOCHS, student: $EPOCHS}
limit: $LIMIT
test_limit: $TEST_LIMIT
quantizer: lsq
devices: [$DEVICE]
trials_per_device: 2
EOF
  rm -rf "$OUT/sweep"
  start=$(date +%s.%N)
  rc=0
  timeout "$RUN_TIMEOUT" "$DOTNET" "$CLI_DLL" run "$OUT/sweep.yaml" --out "$OUT/sweep" --metrics off >"$OUT/sweep.log" 2>&1 || rc=$?
  printf 'sweep\t%s\t%s\t%s\n' "$DEVICE" "$(since "$start")" "$rc" >>"$TIMES"
  tail -15 "$OUT/sweep.log"
  [[ $rc -eq 0 ]] || { echo "   FAILED: sweeps run exited $rc (see $OUT/sweep.log)"; failed=$((failed + 1)); }
fi

echo
"$PYTHON" - "$OUT" "$DEVICE" <<'PY' | tee "$OUT/summary.md"
import json, os, sys
out, device = sys.argv[1], sys.argv[2]
times = {}
for line in open(os.path.join(out, "times.tsv")):
    run, dev, seconds, rc = line.rstrip("\n").split("\t")
    times[run] = (dev, float(seconds), int(rc))

def result(run):
    folder = os.path.join(out, run)
    final = os.path.join(folder, "final.json")
    f = json.load(open(final)) if os.path.exists(final) else {}
    epochs = [json.loads(l) for l in open(os.path.join(folder, "metrics.jsonl")) if l.strip()] if os.path.exists(os.path.join(folder, "metrics.jsonl")) else []
    return f, epochs

def pct(x):
    return "-" if x is None else f"{100 * x:.2f}"

print(f"| run | device | status | last train loss | last test top-1 (%) | wall s |")
print("|---|---|---|---:|---:|---:|")
pairs = []
for run, (dev, seconds, rc) in times.items():
    if run == "sweep":
        continue
    f, epochs = result(run)
    loss = epochs[-1]["train_loss"] if epochs else None
    status = f.get("status", f"exit {rc}")
    if f.get("resumed_after_epoch") is not None:
        status += f" (resumed after epoch {f['resumed_after_epoch']})"
    print(f"| {run} | {dev} | {status} | {'-' if loss is None else f'{loss:.4f}'} | {pct(f.get('last_test_top1'))} | {seconds:.1f} |")
    if run.startswith("gpu/") and ("cpu/" + run[4:]) in times:
        pairs.append(run[4:])
print()
if pairs:
    print(f"| run | top-1 {device} - cpu (pt) | train loss {device} - cpu | wall s cpu / {device} |")
    print("|---|---:|---:|---:|")
    for run in pairs:
        g, ge = result("gpu/" + run)
        c, ce = result("cpu/" + run)
        dtop = "-" if g.get("last_test_top1") is None or c.get("last_test_top1") is None else f"{100 * (g['last_test_top1'] - c['last_test_top1']):+.2f}"
        dloss = "-" if not ge or not ce else f"{ge[-1]['train_loss'] - ce[-1]['train_loss']:+.4f}"
        ratio = times["cpu/" + run][1] / times["gpu/" + run][1]
        print(f"| {run} | {dtop} | {dloss} | {ratio:.2f} |")
    print()
    print("(the timing pairs fp and qat-W4A4-ewgs ran alone; the other pairs may have run side by side, see PARALLEL)")
if "sweep" in times:
    dev, seconds, rc = times["sweep"]
    path = os.path.join(out, "sweep", "results.json")
    trials = json.load(open(path)).get("trials", []) if os.path.exists(path) else []
    done = sum(1 for t in trials if t.get("status") == "completed")
    print(f"\nsweep on [{dev}]: {done} of {len(trials)} trials completed in {seconds:.1f} s (exit {rc}); {out}/sweep/report.md")
PY
if [[ $failed -gt 0 ]]; then
  echo "run_cuda_check.sh: $failed run(s) failed (see the table and the train.log files under $OUT)" >&2
  exit 1
fi
