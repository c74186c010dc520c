#!/usr/bin/env bash
# Configures and builds the project in ./build (override with BUILD_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-2}"

cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  ${EXTRA_CMAKE_ARGS:-}
cmake --build "$build" -j "$jobs"
