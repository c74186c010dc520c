#!/usr/bin/env bash
# Installs the peers (NumPy, OpenBLAS, PyTorch from Debian), builds, and runs
# the side-by-side benchmark (bench/compare.py). Not part of the test run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
EXTRA_PACKAGES="python3-numpy python3-torch libopenblas0-pthread python3-threadpoolctl python3-matplotlib gcc" \
  "$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
/usr/bin/python3 "$root/bench/compare.py" --build "${BUILD_DIR:-$root/build}" "$@"
