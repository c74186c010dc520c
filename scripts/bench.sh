#!/usr/bin/env bash
# Installs the peers (NumPy, OpenBLAS, PyTorch from Debian), builds, and runs
# the side-by-side benchmarks (bench/compare.py, then bench/tccg.py, then
# bench/attention_paths.py; `--attention` or `--tccg` runs only that one,
# with the remaining arguments). Not part of the test run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
EXTRA_PACKAGES="python3-numpy python3-torch libopenblas0-pthread python3-threadpoolctl python3-matplotlib gcc" \
  "$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# --attention: only the contraction-order and attention benchmark.
if [ "${1:-}" = "--attention" ]; then
  shift
  exec /usr/bin/python3 "$root/bench/attention_paths.py" --build "${BUILD_DIR:-$root/build}" "$@"
fi
# --tccg: only the TCCG contractions (bench/tccg.py).
if [ "${1:-}" = "--tccg" ]; then
  shift
  exec /usr/bin/python3 "$root/bench/tccg.py" --build "${BUILD_DIR:-$root/build}" "$@"
fi
/usr/bin/python3 "$root/bench/compare.py" --build "${BUILD_DIR:-$root/build}" "$@"
/usr/bin/python3 "$root/bench/tccg.py" --build "${BUILD_DIR:-$root/build}"
/usr/bin/python3 "$root/bench/attention_paths.py" --build "${BUILD_DIR:-$root/build}"
