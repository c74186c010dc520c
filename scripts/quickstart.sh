#!/usr/bin/env bash
# The main job: install what is missing, build, then compile the attention
# scores einsum (named labels, as in the einsum guide) to native code, run it
# on random data, check it against the f64 reference and print its speed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

spec='batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK'
sizes='batch=2,seqQ=512,seqK=512,n_head=8,d_head=64'
echo
"$build/bin/einsum-run" "$spec" --sizes "$sizes" --explain
echo
"$build/bin/einsum-run" "$spec" --sizes "$sizes" --bench --check
