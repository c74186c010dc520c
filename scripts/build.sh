#!/usr/bin/env bash
# Configures and builds the project with a CMake preset (CMakePresets.json):
#   PRESET=default (build/), sanitize (build-sanitize/) or fuzz (build-fuzz/).
# BUILD_DIR overrides the preset's directory; EXTRA_CMAKE_ARGS adds options.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
preset="${PRESET:-default}"
jobs="${JOBS:-2}"
dir_args=()
if [ -n "${BUILD_DIR:-}" ]; then dir_args=(-B "$BUILD_DIR"); fi

cd "$root"
cmake --preset "$preset" "${dir_args[@]}" ${EXTRA_CMAKE_ARGS:-}
if [ -n "${BUILD_DIR:-}" ]; then
  cmake --build "$BUILD_DIR" -j "$jobs" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
else
  cmake --build --preset "$preset" -j "$jobs"
fi
