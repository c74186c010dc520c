#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds an outside project
# against the installed CMake package, and runs it. Usage:
#   scripts/test-install.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
prefix="$build/install-test"
consumer="$build/consumer-test"
rm -rf "$prefix" "$consumer"
cmake --install "$build" --prefix "$prefix" > /dev/null
cmake -G Ninja -S "$root/test/Install/consumer" -B "$consumer" \
  -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
cmake --build "$consumer" > /dev/null
"$consumer/einsum-consumer"
