#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit tests, the lit
# regression and execution suite, the install test) through ctest.
#   scripts/test.sh              the default build in ./build
#   scripts/test.sh --sanitize   an ASan+UBSan build in ./build-sanitize
#                                (all tests but the install test)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = "--sanitize" ]; then
  export PRESET=sanitize
  export BUILD_DIR="${BUILD_DIR:-$root/build-sanitize}"
  # LLVM's own statics are left to the OS at exit; report real errors only.
  # allow_user_poisoning=0: LLVM headers poison allocator slabs in our
  # (instrumented) code that uninstrumented libMLIR then uses.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allow_user_poisoning=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  exclude=(-E install-consumer)
else
  exclude=()
fi
build="${BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "${JOBS:-2}" "${exclude[@]}"
