#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-22 (ASan + UBSan, fuzzer coverage;
# in ./build-fuzz) and fuzzes each for a bounded time, starting from the
# committed corpus (fuzz/corpus/<target>). A crash, leak-free sanitizer
# report or timeout fails the run; the input is saved in
# build-fuzz/artifacts/<target>/ (add it to fuzz/regressions/<target>/ with
# the fix: the default test run replays that directory).
#
#   scripts/fuzz.sh                      every target for 20 s (CI)
#   scripts/fuzz.sh --time 600           every target for 10 minutes
#   scripts/fuzz.sh --time 600 spec jit  some targets
#   scripts/fuzz.sh --merge ...          afterwards, merge new interesting
#                                        inputs into fuzz/corpus/<target>
#   NO_BUILD=1 scripts/fuzz.sh ...       skip the install and build steps
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
time=20
merge=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(spec npy mlir jit pipeline)

build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
# NO_BUILD=1: reuse the fuzzers already built (e.g. several runs at once).
if [ -z "${NO_BUILD:-}" ]; then
  EXTRA_PACKAGES="clang-22 libclang-rt-22-dev" "$root/scripts/install-deps.sh"
  PRESET=fuzz BUILD_DIR="$build" BUILD_TARGET=fuzzers "$root/scripts/build.sh"
fi

# As scripts/test.sh --sanitize: LLVM's statics are left to the OS, and LLVM
# headers poison allocator slabs that uninstrumented libMLIR then uses.
export ASAN_OPTIONS="detect_leaks=0:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$work" "$artifacts"
  # Empty directories are not in git: pass only the input dirs that exist
  # (libFuzzer exits when one is missing).
  inputs=("$work")
  for dir in "$root/fuzz/corpus/$target" "$root/fuzz/regressions/$target"; do
    if [ -d "$dir" ]; then inputs+=("$dir"); fi
  done
  echo "== fuzzing $target for ${time}s"
  if ! "$build/bin/einsum-$target-fuzzer" -max_total_time="$time" \
      -timeout=60 -rss_limit_mb=8192 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" \
      "${inputs[@]}" \
      2>&1 | grep -a -v "^  \(Addressable\|Partially\|Heap\|Freed\|Stack\|Global\|Poisoned\|Container\|Array\|Intra\|ASan internal\|Left alloca\|Right alloca\)" | tail -n 60; then
    status=1
  fi
  if [ "$merge" = 1 ]; then
    "$build/bin/einsum-$target-fuzzer" -merge=1 "$root/fuzz/corpus/$target" \
      "$work" 2>&1 | tail -n 2
  fi
done
exit $status
