#!/usr/bin/env bash
# The main job: install what is missing, build, and compile the attention
# scores einsum (named labels) through einsum-opt down to linalg.generic.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

example="$root/examples/attention_scores.mlir"
echo
echo "== $example"
grep -v '^//' "$example"
echo
echo "== einsum-opt --convert-einsum-to-linalg"
"$build/bin/einsum-opt" --convert-einsum-to-linalg "$example"
