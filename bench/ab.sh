#!/bin/bash
# Compares the managed throughput of two checkouts of this repository on a noisy machine by alternating them
# run by run (A, B, A, B, ...), so a slow stretch of the host hits both sides alike. Build each first:
#   dotnet build -c Release bench/VaeGen.Benchmarks        (in both checkouts)
# Usage: bench/ab.sh A_DIR B_DIR ROUNDS SPEC...      (SECS=2 by default: seconds per measurement window)
# Prints one line per run: side, spec, managed train/s, managed infer/s. Compare the best of each side.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n 2,6p "$0" >&2
  exit 2
fi
a=$1 b=$2 rounds=$3
shift 3
for spec in "$@"; do
  for _ in $(seq "$rounds"); do
    for side in A B; do
      dir=$a
      [ "$side" = B ] && dir=$b
      line=$(cd "$dir" && dotnet bench/VaeGen.Benchmarks/bin/Release/net10.0/VaeGen.Benchmarks.dll --seconds "${SECS:-2}" \
               --no-pytorch --no-torchsharp --no-memory --spec "$spec" 2>&1 | grep "^| $spec |" | head -1)
      echo "$side $line" | awk -F'|' '{print $1, $2, "train", $4, "infer", $8}'
    done
  done
done
