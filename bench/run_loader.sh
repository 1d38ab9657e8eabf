#!/usr/bin/env bash
# Loader benchmark: can the data loader feed training? Writes an image folder of IMAGES images of SIZE x SIZE
# (half PNG, half JPEG, CLASSES classes) into a temporary folder, decodes it once (time and peak RSS growth against
# the decoded tensors' size), loads it again from the cache, then measures the loader's images/s with augmentation
# (one thread, the producer's own rate) and resnet18's training images/s at SIZE x SIZE in the same process.
# Run it with `./sweeps.sh bench loader`. The last line is: loader/training ratio: Rx (goal >= 5x)
#
# Environment (defaults): IMAGES (10000), SIZE (64), CLASSES (10), BATCH (64), THREADS (nproc), TRAIN_STEPS (3),
#   LOADER_BATCHES (100).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

IMAGES=${IMAGES:-10000}
SIZE=${SIZE:-64}
CLASSES=${CLASSES:-10}
BATCH=${BATCH:-64}
THREADS=${THREADS:-$(nproc)}
TRAIN_STEPS=${TRAIN_STEPS:-3}
LOADER_BATCHES=${LOADER_BATCHES:-100}
CSHARP_DLL=bench/Sweeps.Bench/bin/Release/net10.0/Sweeps.Bench.dll
for v in IMAGES SIZE CLASSES BATCH THREADS TRAIN_STEPS LOADER_BATCHES; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number of at least 1, not '${!v}'"
done
[[ -f $CSHARP_DLL ]] || die "$CSHARP_DLL does not exist: ./sweeps.sh setup builds it"

folder=$(mktemp -d "${TMPDIR:-/tmp}/sweeps-loader-bench.XXXXXX")
trap 'rm -rf "$folder"' EXIT
echo "loader: $IMAGES images of ${SIZE}x${SIZE}, $CLASSES classes, batch $BATCH, $THREADS threads ($folder)"
dotnet "$CSHARP_DLL" loader "$folder" --images "$IMAGES" --size "$SIZE" --classes "$CLASSES" --batch "$BATCH" \
  --threads "$THREADS" --train-steps "$TRAIN_STEPS" --loader-batches "$LOADER_BATCHES"
