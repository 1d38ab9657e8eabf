#!/usr/bin/env bash
# QAT step benchmark: one training step of an EWGS-quantized ResNet-20 (W<BITS>A<BITS>, batch BATCH, 1x28x28), in one
# process, PAIRS interleaved triples of WARMUP untimed + STEPS timed steps per side: the fused EWGS kernel in NCHW, the
# fused kernel in channels-last (the trainer's CPU default), the composed tensor ops in channels-last.
# Run it with `./sweeps.sh bench qat-step` (which builds first). The last two lines are:
#   qat-step speed-up composed/fused (channels-last): R (median of N triples)
#   qat-step ratio channels-last/NCHW (fused): R (median of N triples)
#
# Environment (defaults): PAIRS (5), WARMUP (3), STEPS (10), BATCH (256), THREADS (nproc), BITS (4).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
PAIRS=${PAIRS:-5}
WARMUP=${WARMUP:-3}
STEPS=${STEPS:-10}
BATCH=${BATCH:-256}
THREADS=${THREADS:-$(nproc)}
BITS=${BITS:-4}
for v in PAIRS WARMUP STEPS BATCH THREADS BITS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run_qat_step.sh: $v must be a whole number, not '${!v}'" >&2; exit 2; }
done
[[ $PAIRS -ge 1 && $STEPS -ge 1 && $BATCH -ge 1 && $THREADS -ge 1 && $BITS -ge 1 && $BITS -le 8 ]] \
  || { echo "run_qat_step.sh: PAIRS, STEPS, BATCH and THREADS must be at least 1, BITS 1 to 8" >&2; exit 2; }
DLL=bench/Sweeps.Bench/bin/Release/net10.0/Sweeps.Bench.dll
[[ -f $DLL ]] || { echo "run_qat_step.sh: $DLL is not built: run ./sweeps.sh bench qat-step" >&2; exit 1; }
exec dotnet "$DLL" qat-step --pairs "$PAIRS" --warmup "$WARMUP" --steps "$STEPS" --batch "$BATCH" --threads "$THREADS" --bits "$BITS"
