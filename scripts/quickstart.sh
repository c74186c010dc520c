#!/usr/bin/env bash
# The main job: install what is missing, build, then compile the attention
# example of the einsum guide to native code and run it on random data,
# checked against the f64 reference, with its speed: first the scores einsum
# (named labels), then the whole softmax(Q K^T / sqrt(d)) V as one fused
# kernel.
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
echo
"$build/bin/einsum-run" --attention --sizes batch=2,seq=512,n_head=8,d_head=64 --explain
"$build/bin/einsum-run" --attention --sizes batch=2,seq=512,n_head=8,d_head=64 --bench --check
