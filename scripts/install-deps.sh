#!/usr/bin/env bash
# Installs what building and testing the project needs, from Debian's
# packages (LLVM/MLIR 22 included). Installs only what is missing; run as
# root (or with sudo available).
set -euo pipefail

packages=(
  cmake ninja-build g++ python3
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libgtest-dev libomp-22-dev
  python3-numpy   # the tests' independent oracle for einsum-run on .npy files
)
# Callers add more (e.g. the benchmark's peers) through EXTRA_PACKAGES.
read -r -a extra <<< "${EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
